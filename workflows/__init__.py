"""The core of PrivacyDesk: cases, legal deadlines, identity rules and the scheduler.

Pure functions and the database model live here; nothing in this package imports the action server,
the mail gateway or the console (dependencies point inward).
"""
