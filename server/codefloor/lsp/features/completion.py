"""textDocument/completion: the fallback for clients without inline completion (e.g. Neovim < 0.12).
One item whose text edit inserts the model's completion at the cursor."""

from __future__ import annotations

from lsprotocol import types

from codefloor.lsp.server import CodefloorServer

from codefloor.lsp.features.inline_completion import complete_at, snapped


def register(server: CodefloorServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(resolve_provider=False))
    async def completion(ls: CodefloorServer, params: types.CompletionParams) -> types.CompletionList | None:
        if ls.client_supports("text_document", "inline_completion") is not None:
            return None  # the client shows our inline completions instead
        # Typing asks again (TriggerForIncompleteCompletions, a trigger character); a request without
        # context, or Invoked, is the user's own: the hourly spend pause leaves it alone.
        automatic = params.context is not None and params.context.trigger_kind != types.CompletionTriggerKind.Invoked
        text = await complete_at(ls, params.text_document.uri, params.position, debounce=False, automatic=automatic)
        if not text:
            return None
        at = snapped(ls, params.text_document.uri, params.position)
        first = text.strip().split("\n", 1)[0]
        label = first if len(first) <= 40 else first[:39] + "…"
        item = types.CompletionItem(
            label=label or "codefloor",
            kind=types.CompletionItemKind.Text,
            detail="codefloor AI completion",
            documentation=types.MarkupContent(kind=types.MarkupKind.PlainText, value=text),
            text_edit=types.TextEdit(range=types.Range(start=at, end=at), new_text=text),
            filter_text=label,
            sort_text="0",
            insert_text_format=types.InsertTextFormat.PlainText,
        )
        # is_incomplete: ask again as the user types; the answer depends on the exact prefix.
        return types.CompletionList(is_incomplete=True, items=[item])
