" Driven by tests/editors/test_vim.py. Vim was started (`vim -es`) with the docs/editors.md ALE
" snippet as its vimrc, on a Python file. This starts ALE's codefloor connection, then lists and
" applies a code action with ALE's code-action functions, hovers the written lines with ALE's
" hover (into its preview window), asks ALE for a completion, and writes a JSON report.
" Every wait polls its condition with `sleep 20m` (Vim handles channel messages meanwhile) up
" to a deadline; none waits a fixed time.
let s:report = {'steps': [], 'log': [], 'server_methods': []}
let s:buffer = bufnr('')

function! s:Set(name, value) abort
  call add(s:report.steps, a:name)
  let s:report[a:name] = a:value
endfunction

function! s:Wait(what, condition, ...) abort
  let l:timeout = get(a:000, 0, 20)
  let l:deadline = reltimefloat(reltime()) + l:timeout
  while !eval(a:condition)
    if reltimefloat(reltime()) > l:deadline
      throw 'Timed out after ' . l:timeout . 's waiting for ' . a:what
    endif
    sleep 20m
  endwhile
endfunction

" Observe what the server sends (ALE ignores logMessage and codefloor/status).
function! s:Record(conn_id, message) abort
  if has_key(a:message, 'method')
    call add(s:report.server_methods, a:message.method)
    if a:message.method is# 'window/logMessage'
      call add(s:report.log, a:message.params.message)
    endif
  endif
endfunction

function! s:OnReady(linter, details) abort
  let s:conn = a:details.connection_id
  call ale#lsp#RegisterCallback(s:conn, function('s:Record'))
endfunction

function! s:Logged(pattern) abort
  return !empty(filter(copy(s:report.log), 'v:val =~# a:pattern'))
endfunction

function! s:OnActions(data, items) abort
  let s:actions = [a:data, a:items]
endfunction

function! s:OnCompletions(items) abort
  let s:completions = a:items
endfunction

function! s:PreviewText() abort
  for l:nr in range(1, bufnr('$'))
    if bufexists(l:nr) && getbufvar(l:nr, '&filetype') =~# '^ale-preview'
      return join(getbufline(l:nr, 1, '$'), "\n")
    endif
  endfor
  return ''
endfunction

function! s:Steps() abort
  call s:Set('filetype', &filetype)
  if !exists('g:loaded_ale')
    throw "ALE is not loaded: install Debian's vim-ale (the snippet's `packadd ale` found no ale package)"
  endif
  " 0. the connection ALE's commands start; its settings are pushed with didChangeConfiguration
  let l:linter = filter(ale#linter#Get(&filetype), 'v:val.name is# "codefloor"')
  if empty(l:linter)
    throw 'the vimrc snippet defined no codefloor linter for ' . &filetype
  endif
  call ale#lsp_linter#StartLSP(s:buffer, l:linter[0], function('s:OnReady'))
  call s:Wait('ALE to start codefloor', 'exists("s:conn")', 30)
  call s:Wait("the folder's settings to arrive", 's:Logged("minCodingScore")')

  " 1. code actions on the stub's body, as :ALECodeActionMenu lists them
  call cursor(3, 5)
  call ale#codefix#Execute(0, function('s:OnActions'))
  call s:Wait('the code actions', 'exists("s:actions")')
  let [l:data, l:items] = s:actions
  call s:Set('titles', map(copy(l:items), 'v:val[1].title'))
  let l:chosen = filter(copy(l:items), 'v:val[1].title =~# "^Generate body"')
  if empty(l:chosen)
    throw 'no Generate body action'
  endif
  let l:action = l:chosen[0][1]
  call s:Set('chosen_is', has_key(l:action, 'edit') ? 'edit' : has_key(l:action, 'command') ? 'command' : 'data')

  " 2. pick it (what the menu does): ALE runs the command, then applies the workspace/applyEdit
  call ale#codefix#ApplyLSPCodeAction(l:data, l:action)
  call s:Wait('the generated body in the buffer', 'getline(3) =~# "return \"hi \" + name"')
  call s:Set('after_action', getline(1, '$'))

  " 3. :ALEHover on the written line (into ALE's preview window)
  let g:ale_hover_to_preview = 1
  call cursor(3, 9)
  call ale#hover#ShowAtCursor()
  call s:Wait('the hover in the preview window', '!empty(s:PreviewText())')
  call s:Set('hover', s:PreviewText())
  pclose

  " 4. a completion at the end of the last line. ALE shows completions only in Insert mode,
  " which `vim -es` has not: this session says it is in Insert mode, as the user would be.
  function! ale#util#Mode(...) abort
    return 'i'
  endfunction
  call cursor(line('$'), col('$'))
  call ale#completion#GetCompletions('ale-callback', {'callback': function('s:OnCompletions'), 'line': line('$'), 'column': col('$')})
  call s:Wait('the completion', 'exists("s:completions")')
  call s:Set('completion', map(copy(s:completions), 'v:val.word'))
  call setline(line('$'), getline('$') . s:completions[0].word) " accepting it in the menu
  call s:Set('after_completion', getline(1, '$'))

  " 5. another project, with a buffer-local floor: ALE starts a second server for its root
  execute 'split' fnameescape($CODEFLOOR_TEST_FILE2)
  let b:ale_codefloor_settings = {'codefloor': {'minCodingScore': 80}}
  let l:first = s:conn
  unlet s:conn s:actions
  call ale#lsp_linter#StartLSP(bufnr(''), l:linter[0], function('s:OnReady'))
  call s:Wait('ALE to start codefloor for the second project', 'exists("s:conn")', 30)
  call s:Set('second_connection', [l:first, s:conn])
  call s:Wait("the second project's settings to arrive", 's:Logged("minCodingScore 80")')
  call cursor(3, 5)
  call ale#codefix#Execute(0, function('s:OnActions'))
  call s:Wait("the second project's code actions", 'exists("s:actions")')
  call s:Set('second_titles', map(copy(s:actions[1]), 'v:val[1].title'))
endfunction

try
  call s:Steps()
  let s:report.ok = v:true
catch
  let s:report.ok = v:false
  let s:report.error = v:exception . ' at ' . v:throwpoint
endtry
let s:report.messages = split(execute('messages'), "\n")
call writefile([json_encode(s:report)], $CODEFLOOR_TEST_OUT)
qa!
