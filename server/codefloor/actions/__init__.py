"""What codefloor's AI actions do to a document, as plain Python (no LSP, no I/O).

    python_source   find the function under the cursor, its stub body, its docstring
    edits           TextEdit / FileEdit in code-point columns (lsp/convert.py maps to UTF-16)
    offers          which actions a cursor/selection/diagnostic allows (listing: no model call)
    generate        the prompt for an action and how the model's answer becomes edits
    cleaning        strip fences and prose from model output, re-indent code
    completion      prefix/suffix fitted to a window, FIM prompt, output trimming, LRU cache
    test_paths      where the tests for a source file go
"""
