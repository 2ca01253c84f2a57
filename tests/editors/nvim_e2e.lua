-- Driven by tests/editors/test_neovim.py. Neovim was started with the docs/editors.md snippet as
-- its init.lua, on a Python file: the snippet's FileType autocmd started `codefloor serve`.
-- This script lists and applies a code action, asks for a completion, runs :CodefloorEdit, and
-- writes what happened as JSON.
local out_path = os.getenv("CODEFLOOR_TEST_OUT")
local report = { steps = {}, log = {}, messages = {} }
vim.lsp.handlers["window/logMessage"] = function(_, result) table.insert(report.log, result.message) end
vim.lsp.handlers["window/showMessage"] = function(_, result) table.insert(report.messages, result.message) end

local function finish(ok, err)
  report.ok = ok
  report.error = err
  local f = io.open(out_path, "w")
  f:write(vim.fn.json_encode(report))
  f:close()
  vim.cmd("qa!")
end

local function step(name, value)
  table.insert(report.steps, name)
  report[name] = value
end

local ok, err = pcall(function()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = nil
  assert(vim.wait(15000, function()
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == "codefloor" and c.initialized ~= false and c.server_capabilities and next(c.server_capabilities) then client = c end
    end
    return client ~= nil
  end, 50), "the init.lua snippet did not start codefloor for this buffer")
  -- the settings the snippet pushes in on_init: the server logs the floor once it has them
  assert(vim.wait(15000, function()
    for _, message in ipairs(report.log) do
      if message:find("minCodingScore", 1, true) then return true end
    end
    return false
  end, 20), "the server never confirmed the pushed settings")

  -- 1. list code actions on the stub function's body
  vim.api.nvim_win_set_cursor(0, { 3, 4 })
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {} }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000)
  local titles, chosen = {}, nil
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
      if action.title:find("^Generate body") then chosen = action end
    end
  end
  step("titles", titles)
  assert(chosen, "no Generate body action")

  -- 2. resolve it (the model runs now) and apply the edit
  local resolved = vim.lsp.buf_request_sync(bufnr, "codeAction/resolve", chosen, 20000)
  local action = nil
  for _, response in pairs(resolved or {}) do action = response.result end
  assert(action and action.edit, "resolve returned no edit")
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
  step("after_action", vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))

  -- 3. a completion at the end of the last line
  local last = vim.api.nvim_buf_line_count(bufnr)
  local text = vim.api.nvim_buf_get_lines(bufnr, last - 1, last, false)[1]
  vim.api.nvim_win_set_cursor(0, { last, #text })
  local cparams = vim.lsp.util.make_position_params()
  local completions = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", cparams, 20000)
  local inserted = nil
  for _, response in pairs(completions or {}) do
    local result = response.result or {}
    local items = result.items or result
    if items[1] then inserted = (items[1].textEdit or {}).newText or items[1].insertText end
  end
  step("completion", inserted)

  -- 4. the snippet's :CodefloorEdit on line 3 (the server answers with workspace/applyEdit)
  vim.cmd("3,3CodefloorEdit greet in Japanese")
  vim.wait(15000, function() return vim.api.nvim_buf_get_lines(bufnr, 2, 3, false)[1]:find("こんにちは") ~= nil end, 50)
  step("after_edit", vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
end)

finish(ok, ok and nil or tostring(err))
