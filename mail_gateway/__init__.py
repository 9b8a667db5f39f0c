"""E-mail channel (issue 5, not built yet): IMAP in with imapclient, SMTP out with aiosmtplib.

It will turn each e-mail into a turn of a conversation with the bot and deliver the outbox.
"""
