"""The rasa-sdk action server: thin actions that read slots, call ``workflows`` and return events."""
