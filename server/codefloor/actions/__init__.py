"""What codefloor's AI actions do to a document, as plain Python (no LSP).

    languages   the languages as data: grammar, function nodes, stub idioms, doc style
    source      the source model on tree-sitter, one for every language: function at a line,
                stub or not, doc comment and where one goes, an answer cut to the body, error count
    rope        an open document's text: chunks of whole lines, an edit costs one chunk, not the file
    trees       one syntax tree per open document, reading its rope, edited from didChange, re-parsed
                only as needed
    lines       the one line model (\\n, \\r\\n, \\r), indentation helpers
    edits       TextEdit / FileEdit in code-point columns (lsp/convert.py maps to UTF-16)
    offers      which actions a cursor/selection/diagnostic allows (listing: no model call)
    generate    the prompt for an action, how the answer becomes edits, the answer check
    cleaning    take code out of an answer, shape a doc comment in the language's convention
    completion  prefix/suffix fitted to a window, FIM request, output trimming, LRU cache
    test_paths  where tests go and with which framework, per language
    files       the one safe way to read a project file from disk
"""
