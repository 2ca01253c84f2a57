-- Driven by tests/editors/test_neovim.py: a real headless Neovim (0.7+) starts `codefloor serve`,
-- lists and applies a code action, asks for a completion, and writes what happened as JSON.
local out_path = os.getenv("CODEFLOOR_TEST_OUT")
local file = os.getenv("CODEFLOOR_TEST_FILE")
local python = os.getenv("CODEFLOOR_TEST_PYTHON")
local root = vim.fn.fnamemodify(file, ":h")
local report = { steps = {}, log = {}, messages = {} }

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

vim.lsp.set_log_level(os.getenv("CODEFLOOR_TEST_LSP_LOG") and "debug" or "warn")
report.lsp_log = vim.lsp.get_log_path()
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"
  local client_id = vim.lsp.start_client({
    name = "codefloor",
    cmd = { python, "-m", "codefloor", "serve" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "w" } },
    settings = { codefloor = { minCodingScore = 40, completion = { debounceMs = 0 } } },
    -- Neovim 0.7 neither advertises workspace/configuration nor pushes settings by itself.
    on_init = function(client)
      client.notify("workspace/didChangeConfiguration", { settings = client.config.settings })
    end,
    handlers = {
      ["window/logMessage"] = function(_, result) table.insert(report.log, result.message) end,
      ["window/showMessage"] = function(_, result) table.insert(report.messages, result.message) end,
    },
  })
  assert(client_id, "start_client failed")
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(10000, function() return client.initialized or (client.server_capabilities ~= nil and next(client.server_capabilities) ~= nil) end, 50), "no initialize answer")
  vim.wait(500) -- settings pulled on `initialized`

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
end)

finish(ok, ok and nil or tostring(err))
