"""Entrypoint: page setup and navigation over pages/, nothing else."""

import streamlit as st

from syncstatus.ui.setup import nav_pages

st.navigation(nav_pages(), position="hidden").run()
