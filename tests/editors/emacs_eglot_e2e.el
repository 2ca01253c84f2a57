;;; emacs_eglot_e2e.el --- driven by tests/editors/test_emacs.py  -*- lexical-binding: t -*-
;; Emacs was started with the docs/editors.md eglot snippet as its init file; the workspace has
;; the documented .dir-locals.el.  This visits the Python file, starts eglot as `M-x eglot`
;; does, then lists and applies a code action through eglot's own menu code, hovers the written
;; lines through eglot's eldoc function, completes with `completion-at-point', and writes a
;; JSON report.
(load (expand-file-name "emacs_common.el" (file-name-directory load-file-name)) nil t)
(require 'eglot)

;; Observe what the server sends (eglot itself ignores logMessage).
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (push (format "%s" method) cf-server-methods)
              (when (eq method 'window/logMessage)
                (setq cf-log (append cf-log (list (plist-get params :message)))))))
(advice-add 'eglot-handle-request :before
            (lambda (_server method &rest _) (push (format "%s" method) cf-server-methods)))

(setq cf-diagnose
      (lambda () (with-current-buffer (cl-find-if (lambda (b) (string-match-p "EGLOT.*events" (buffer-name b))) (buffer-list))
                   (buffer-substring-no-properties (max (point-min) (- (point-max) 8000)) (point-max)))))

(cf-run
 (lambda ()
   (find-file (getenv "CODEFLOOR_TEST_FILE"))
   (cf-set 'mode (format "%s" major-mode))
   (call-interactively #'eglot)
   (cf-wait "eglot to manage the buffer" (lambda () eglot--managed-mode) 30)
   (let ((server (eglot-current-server)))
     ;; 0. settings: the server pulled workspace/configuration; eglot answered from .dir-locals.el
     (cf-wait "the folder's settings to arrive" (lambda () (cf-logged "minCodingScore")))

     ;; 1. list code actions on the stub's body
     (cf-goto 2 4)
     (let* ((actions (eglot-code-actions (point) (point)))
            (chosen (cl-find-if (lambda (a) (string-prefix-p "Generate body" (plist-get a :title))) actions)))
       (cf-set 'titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
       (unless chosen (error "No Generate body action"))
       (cf-set 'chosen_is (if (plist-get chosen :edit) "edit" (if (plist-get chosen :command) "command" "bare")))

       ;; 2. pick it the way `M-x eglot-code-actions' does (its menu, answered here); eglot asks
       ;; before applying an edit the server sends (eglot-confirm-server-initiated-edits): say yes
       (cl-letf (((symbol-function 'completing-read) (lambda (&rest _) (plist-get chosen :title)))
                 ((symbol-function 'y-or-n-p) (lambda (prompt) (cf-set 'confirm_prompt prompt) t)))
         (let ((last-nonmenu-event ?\r)) ; a key, not a mouse click: eglot asks with completing-read
           (eglot--read-execute-code-action actions server)
           (cf-wait "the generated body in the buffer"
                    (lambda () (save-excursion (goto-char (point-min)) (search-forward "return \"hi \" + name" nil t))))))
       (cf-set 'after_action (vconcat (cf-lines))))

     ;; 3. hover the written line through eglot's eldoc function
     (cf-goto 2 8)
     (cf-idle) ; eglot sends the applied edit as didChange when the user is idle
     (let (hover)
       (eglot-hover-eldoc-function (lambda (info &rest _) (setq hover (or info ""))))
       (cf-wait "the hover" (lambda () hover))
       (cf-set 'hover hover))

     ;; 4. complete at the end of the file with completion-at-point (eglot's capf)
     (goto-char (point-max))
     (completion-at-point)
     (cf-wait "the completion in the buffer"
              (lambda () (string-suffix-p "VALUE = 42" (buffer-substring-no-properties (point-min) (point-max)))))
     (cf-set 'after_completion (vconcat (cf-lines)))
     (cf-set 'status_message (cl-find-if (lambda (m) (string-prefix-p "codefloor: " m)) (cf-messages))))))
