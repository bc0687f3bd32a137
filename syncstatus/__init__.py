"""syncstatus: what did not reach the books, why, and what to fix. Importable without Streamlit."""

__version__ = "0.1.0"
