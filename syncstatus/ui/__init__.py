"""Streamlit helpers shared by every page: setup, sign-in check, sidebar, cached data access."""
