"""Web console for staff and the customers' chat page (FastAPI)."""
