"""python manage.py mcp — the knowledge base as tools for AI assistants (kb.api.mcp),
an MCP server speaking on stdin/stdout."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the published knowledge base as read-only MCP tools on stdio."

    def handle(self, *args, **options):
        from kb.api.mcp import server

        # stdout carries the protocol: nothing else may be printed there.
        server().run("stdio")
