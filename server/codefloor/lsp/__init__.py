"""The language server: the only package that imports pygls/lsprotocol. Handlers are thin:
convert (convert.py), call the router, convert back. Logic lives in codefloor.actions."""
