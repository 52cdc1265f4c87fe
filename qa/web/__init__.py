"""The web surfaces over the engine: the HTTP API, the widget, the chat's HTML, feedback, middleware and server.

``app.create_app`` puts the API and the widget on one FastAPI app behind the
middleware; ``server.serve`` runs it, and ``ui.py`` mounts the chat on it
once the server answers (``chat_slot``); ``workers`` runs the API and the
widget in several processes beside the chat.
Nothing in the answering core imports this package.
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"  # the widget's page and the chat's CSS and scripts
