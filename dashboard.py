"""Entrypoint: page setup and navigation over pages/, nothing else."""

import streamlit as st

from syncstatus.ui.setup import nav_pages, run_page

run_page(st.navigation(nav_pages(), position="hidden"))
