;;; emacs_common.el --- shared by the Emacs drivers of tests/editors/test_emacs.py  -*- lexical-binding: t -*-
;; The report (a JSON object written to $CODEFLOOR_TEST_OUT), waits on conditions with a
;; deadline, and the run-and-report wrapper.  No fixed sleeps: every wait polls its condition
;; while Emacs reads the server's output.
(require 'cl-lib)
(require 'json)
(require 'subr-x)
(require 'package)

;; An interactive Emacs activates the installed packages (their autoloads) at start-up; a batch
;; Emacs does not, and lsp-mode calls autoloaded functions of its other files.
(package-activate-all)

(defvar cf-report nil "Alist of (step . value), written as JSON at the end.")
(defvar cf-log nil "window/logMessage texts the server sent, oldest first.")
(defvar cf-server-methods nil "Methods of the requests and notifications the server sent.")
(defvar cf-diagnose nil "A function returning text that explains a failure (the client's event log).")

(defun cf-set (key value)
  (setf (alist-get key cf-report) value))

(defun cf-wait (what predicate &optional timeout)
  "Process server output until PREDICATE is non-nil; error after TIMEOUT seconds (default 20)."
  (let ((deadline (+ (float-time) (or timeout 20)))
        value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or value (error "Timed out after %ss waiting for %s" (or timeout 20) what))))

(defun cf-idle ()
  "The user pauses: run the idle timers, as Emacs does when it waits for a key (a batch Emacs
never does, and clients send buffer changes from idle timers)."
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun cf-lines ()
  (split-string (buffer-substring-no-properties (point-min) (point-max)) "\n"))

(defun cf-goto (line column)
  "Point at 0-based LINE and COLUMN (characters)."
  (goto-char (point-min))
  (forward-line line)
  (forward-char column))

(defun cf-logged (regexp)
  (cl-find-if (lambda (m) (string-match-p regexp m)) cf-log))

(defun cf-messages ()
  "The *Messages* buffer's lines (what the user saw in the echo area)."
  (with-current-buffer (messages-buffer)
    (split-string (buffer-substring-no-properties (point-min) (point-max)) "\n" t)))

(defun cf-write (ok err)
  (cf-set 'ok (if ok t :json-false))
  (cf-set 'error err)
  (cf-set 'log (vconcat cf-log))
  (cf-set 'server_methods (vconcat (delete-dups (reverse cf-server-methods))))
  (cf-set 'messages (vconcat (cf-messages)))
  (let ((json-encoding-pretty-print nil)
        (coding-system-for-write 'utf-8))
    (with-temp-file (getenv "CODEFLOOR_TEST_OUT")
      (insert (json-encode cf-report)))))

(defun cf-run (steps)
  "Run STEPS (a function), write the report whatever happens, and exit Emacs."
  (condition-case err
      (progn (funcall steps) (cf-write t nil))
    (error (when cf-diagnose (cf-set 'diagnosis (ignore-errors (funcall cf-diagnose))))
           (cf-write nil (error-message-string err))))
  (kill-emacs 0))

(provide 'emacs_common)
