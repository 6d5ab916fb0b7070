"""One function per action, called alike by pages, API routes and CLI commands.

Service functions take a database session and an ``Actor`` (who is asking), decide what that
actor may see or change through ``access``, and never commit: the request or the command
that called them owns the transaction.
"""
