"""The archive's faces: the HTTP API, the web pages, the command line and the MCP tools."""
