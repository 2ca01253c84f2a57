;;; emacs_lsp_mode_e2e.el --- driven by tests/editors/test_emacs.py  -*- lexical-binding: t -*-
;; Emacs was started with the docs/editors.md lsp-mode snippet as its init file.  This visits
;; the Python file, adds its folder as `M-x lsp-workspace-folders-add' does, starts lsp-mode as
;; `M-x lsp' does, lists and applies a code action with lsp-mode's own functions (which resolve
;; it), hovers the written lines with `lsp-describe-thing-at-point', completes with
;; `completion-at-point', and writes a JSON report.
(load (expand-file-name "emacs_common.el" (file-name-directory load-file-name)) nil t)
(require 'lsp-mode)

(setq lsp-enable-file-watchers nil ; nothing to watch in a test folder
      lsp-enable-snippet nil)        ; yasnippet is not installed here (lsp-mode warns otherwise)

;; Observe what the server sends (lsp-mode writes logMessage to *lsp-log*).
(advice-add 'lsp--on-notification :before
            (lambda (_workspace notification)
              (let ((method (lsp-get notification :method)))
                (push method cf-server-methods)
                (when (equal method "window/logMessage")
                  (setq cf-log (append cf-log (list (lsp-get (lsp-get notification :params) :message))))))))
(advice-add 'lsp--on-request :before
            (lambda (_workspace request) (push (lsp-get request :method) cf-server-methods)))

(setq cf-diagnose
      (lambda () (concat (let ((log (get-buffer "*lsp-log*"))) (and log (with-current-buffer log (buffer-string))))
                         "\n--- buffer ---\n"
                         (with-current-buffer (find-buffer-visiting (getenv "CODEFLOOR_TEST_FILE")) (cf-buffer-text)))))

(defun cf-buffer-text () (buffer-substring-no-properties (point-min) (point-max)))

(cf-run
 (lambda ()
   (let ((file (getenv "CODEFLOOR_TEST_FILE")))
     (find-file file)
     (cf-set 'mode (format "%s" major-mode))
     (lsp-workspace-folders-add (file-name-directory file))
     (lsp)
     (cf-wait "lsp-mode to initialize the codefloor workspace"
              (lambda () (cl-find-if (lambda (w) (eq (lsp--workspace-status w) 'initialized)) (lsp-workspaces)))
              30)
     ;; 0. settings: the server pulled workspace/configuration; lsp-mode answered from the snippet
     (cf-wait "the folder's settings to arrive" (lambda () (cf-logged "minCodingScore")))

     ;; 1. list code actions on the stub's body (lsp-mode asks for the current line)
     (cf-goto 2 4)
     (let* ((actions (append (lsp-code-actions-at-point) nil))
            (chosen (cl-find-if (lambda (a) (string-prefix-p "Generate body" (lsp-get a :title))) actions)))
       (cf-set 'titles (vconcat (mapcar (lambda (a) (lsp-get a :title)) actions)))
       (unless chosen (error "No Generate body action"))
       (cf-set 'chosen_is (cond ((lsp-get chosen :edit) "edit") ((lsp-get chosen :command) "command") (t "data")))
       ;; 2. what `M-x lsp-execute-code-action' does once the action is picked: resolve, apply
       (lsp-execute-code-action chosen)
       (cf-wait "the generated body in the buffer" (lambda () (string-search "return \"hi \" + name" (cf-buffer-text))))
       (cf-set 'after_action (vconcat (cf-lines))))

     ;; 3. hover the written line: `M-x lsp-describe-thing-at-point' shows it in *lsp-help*
     (cf-goto 2 8)
     (lsp-describe-thing-at-point)
     (cf-set 'hover (cf-wait "the hover in *lsp-help*"
                             (lambda () (let ((help (get-buffer "*lsp-help*")))
                                          (and help (with-current-buffer help (cf-buffer-text)))))))

     ;; 4. complete at the end of the file with completion-at-point (lsp-mode's capf)
     (goto-char (point-max))
     (completion-at-point)
     (cf-wait "the completion in the buffer" (lambda () (string-suffix-p "VALUE = 42" (cf-buffer-text))))
     (cf-set 'after_completion (vconcat (cf-lines)))
     (cf-set 'status_message (cl-find-if (lambda (m) (string-prefix-p "codefloor: " m)) (cf-messages))))))
