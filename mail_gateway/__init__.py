"""The e-mail channel (issue #5): IMAP in with imapclient, the bot through Rasa's REST channel, SMTP out
with aiosmtplib through the outbox.

One module per stage: ``parse`` (bytes → frozen ``ParsedMail``, pure), ``loop_guard`` (RFC 3834, pure),
``store`` (raw bytes + checkpoint in one transaction), ``imap_receiver`` (fetch, IDLE, acknowledge after
commit), ``conversation`` (threading, one bot turn, one composed reply), ``rasa_client``, ``processor``
(the queue in ``mail_inbound``), ``smtp_sender`` (the outbox) and ``gateway`` (the loop behind
``privacydesk mail-gateway [--once]``). Its tables live in ``workflows.mailbox``. ``devservers`` starts a
local Dovecot and SMTP sink for tests, the benchmark and trying it out; the gateway never uses it.
"""
