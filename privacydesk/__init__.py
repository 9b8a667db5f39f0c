"""The composition root: the ``privacydesk`` command, training, and the process supervisor."""
