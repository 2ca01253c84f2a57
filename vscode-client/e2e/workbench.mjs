// Driving the VS Code workbench the way a person does: command palette, quick open, keys, clicks.
// Selectors are VS Code's own DOM classes (stable across 1.9x releases).
import { waitFor } from './session.mjs';

export class Workbench {
  constructor(page) {
    this.page = page;
  }

  get quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  async escape(times = 1) {
    for (let i = 0; i < times; i += 1) await this.page.keyboard.press('Escape');
  }

  /** Command palette: run the command whose title is exactly `title` (e.g. "codefloor: Set API key"). */
  async runCommand(title) {
    await this.page.keyboard.press('F1');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  /** Quick open a file by name (in `folder`, when given) and wait for its editor tab to be active. */
  async openFile(name, folder) {
    const active = this.page.locator('.tab.active', { hasText: name });
    await waitFor(`${name} to open`, async () => {
      await this.escape();
      await this.page.keyboard.press('Control+P');
      const input = this.quickInput.locator('input');
      await input.waitFor({ state: 'visible' });
      await input.fill(name);
      // Accept only when the list has settled with the wanted file first (a click can land on a
      // row that the list re-renders under the pointer).
      const first = this.quickInput.locator('.monaco-list-row.focused').first();
      const settled = await waitFor(`${name} first in quick open`, async () => {
        const text = await first.innerText().catch(() => '');
        return text.includes(name) && (!folder || text.includes(folder));
      }, 10_000).then(() => true, () => false);
      if (!settled) return false;
      await this.page.keyboard.press('Enter');
      return active.waitFor({ timeout: 5_000 }).then(() => true, () => false);
    }, 30_000);
    await this.focusEditor();
  }

  async focusEditor() {
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click({ position: { x: 400, y: 300 } });
  }

  /** Put the cursor at 1-based line/column with "Go to Line/Column". */
  async goTo(line, column = 1) {
    await this.page.keyboard.press('Control+G');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  async save() {
    await this.page.keyboard.press('Control+S');
  }

  /** Text of the visible editor lines (small files only: the editor renders what is in view). */
  async editorText() {
    const lines = await this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').allInnerTexts();
    return lines.map((line) => line.replace(/\u00a0/g, ' ')).join('\n');
  }

  statusItem() {
    return this.page.locator('.statusbar-item', { has: this.page.locator('.codicon-dashboard, .codicon-error') }).filter({ hasText: /≥|codefloor/ }).first();
  }

  async statusText() {
    return (await this.statusItem().innerText()).trim();
  }

  async waitStatus(pattern, timeoutMs = 30_000) {
    return waitFor(`the status bar to match ${pattern}`, async () => {
      const text = await this.statusText().catch(() => '');
      return pattern.test(text) && text;
    }, timeoutMs);
  }

  /** Hover the status bar item and return the tooltip's text. */
  async statusTooltip() {
    await this.statusItem().hover();
    const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'codefloor' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await hover.innerText();
    await this.page.mouse.move(10, 10);
    return text;
  }

  /** Every notification the workbench holds (the notification center), or only the errors. */
  async notifications({ errorsOnly = false } = {}) {
    await this.runCommand('Notifications: Show Notifications');
    const center = this.page.locator('.notifications-center');
    await center.waitFor({ state: 'visible' });
    const items = errorsOnly
      ? center.locator('.notification-list-item').filter({ has: this.page.locator('.codicon-error') })
      : center.locator('.notification-list-item');
    const texts = await items.locator('.notification-list-item-message').allInnerTexts();
    await this.escape();
    await center.waitFor({ state: 'hidden' });
    return texts;
  }

  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** The code action menu at the cursor (Ctrl+.): the titles it lists. */
  async codeActions() {
    const menu = this.page.locator('.action-widget:visible').first();
    // The key can land while focus is still on its way back to the editor: ask again if need be.
    await waitFor('the code action menu', async () => {
      if (await menu.isVisible()) return true;
      await this.page.keyboard.press('Control+.');
      return menu.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    }, 20_000);
    await waitFor('code actions from codefloor', async () => (await menu.innerText()).includes('·'), 20_000);
    return (await menu.locator('.monaco-list-row').allInnerTexts()).map((t) => t.trim());
  }

  async pickCodeAction(startsWith) {
    const row = this.page.locator('.action-widget:visible .monaco-list-row', { hasText: startsWith }).first();
    await row.click();
  }

  /** Type into the open quick input (input box or quick pick) and accept. */
  async answerInput(text) {
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  async pickQuickItem(label) {
    const row = this.quickInput.locator('.monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /**
   * Click into the text of the panel's visible editor (the Output view), by position: the view keeps
   * scrolling as the channel grows, which an element click waits out forever.
   */
  async clickIntoPanelText() {
    const box = await this.page.locator('.part.panel .monaco-editor:visible').first().boundingBox();
    if (!box) throw new Error('no editor in the panel');
    await this.page.mouse.click(box.x + 60, box.y + 15);
  }

  /** The channel the Output view shows (its picker's text). */
  async outputChannelShown() {
    return (await this.page.locator('.part.panel .monaco-select-box').first().innerText().catch(() => '')).trim() ||
      (await this.page.locator('.part.panel select').first().inputValue().catch(() => ''));
  }

  /**
   * The text in the panel's editor (the Output view shows the channel the extension revealed), with
   * whitespace collapsed: the view wraps long lines.
   */
  async panelText() {
    const lines = await this.page.locator('.part.panel .monaco-editor .view-lines .view-line').allInnerTexts();
    return lines.join(' ').replace(/[\s\u00a0]+/g, ' ');
  }
}
