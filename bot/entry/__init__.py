"""Entry points: the command line, the HTTP server, WSGI, the scheduler, the composition root."""
