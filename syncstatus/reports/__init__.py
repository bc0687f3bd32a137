"""Report functions: run the queries, arrange the frames. Never call Streamlit."""
