"""The Streamlit dashboard (``streamlit run app.py``): pages and presentation helpers.

Everything here presents what :mod:`hipvision.api` computes; no measurement logic lives in
the dashboard. ``charts`` and ``instructions`` are plain functions (testable without a
browser); the ``page_*`` modules draw Streamlit pages.
"""
