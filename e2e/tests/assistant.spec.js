// The assistant page answers a citizen's question, typed without diacritics, and links the
// procedure — with the page's script (answered in place through the API) and without it (the form
// posts to the server): progressive enhancement. Both answers must pass axe-core.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

/** The conversation: the live region screen readers announce answers from. */
const log = (page) => page.getByRole('main').locator('[aria-live]').first();

async function ask(page, question) {
  const main = page.getByRole('main');
  await main.getByRole('textbox', { name: /câu hỏi|question/i }).fill(question);
  await main.getByRole('button', { name: /gửi câu hỏi|hỏi|ask|send/i }).click();
}

for (const js of [true, false]) {
  test.describe(js ? 'with script' : 'without script', () => {
    // "Without script": the page's own script never loads (as on a failed or blocked download), so
    // the form posts to the server; the browser still runs axe-core.
    test.beforeEach(async ({ page }) => {
      if (!js) await page.route('**/static/*.js', (route) => route.abort());
    });

    test('answers what a birth registration needs', async ({ page, request }) => {
      await h.skipIfPending(request, '/tro-ly-ao');
      await page.goto('/tro-ly-ao');
      await ask(page, 'lam giay khai sinh can giay to gi');
      const link = log(page).locator(`a[href*="/thu-tuc/${h.BIRTH.code}"]`).first();
      await expect(link).toBeVisible();
      await expect(link).toHaveText(h.BIRTH.name);
      const name = js ? 'assistant-answer' : 'assistant-answer-noscript';
      await h.screenshot(page, name);
      await h.expectAccessible(page, name);
    });

    test('answers a status question from the dossier code', async ({ page, request }) => {
      await h.skipIfPending(request, '/tro-ly-ao');
      const dossier = await h.counterDossier(request);
      await page.goto('/tro-ly-ao');
      await ask(page, `ho so ${dossier.code} den dau roi`);
      await expect(log(page)).toContainText(dossier.view.status.name);
      await expect(log(page).locator(`a[href*="/tra-cuu?ma="]`).first()).toBeVisible();
    });

    test('an out-of-scope question gets no procedure', async ({ page, request }) => {
      await h.skipIfPending(request, '/tro-ly-ao');
      await page.goto('/tro-ly-ao');
      await ask(page, 'giá vàng hôm nay bao nhiêu');
      await expect(log(page)).toContainText(/thủ tục hành chính|administrative procedure/i);
      await expect(log(page).locator('a[href*="/thu-tuc/"]')).toHaveCount(0);
    });
  });
}
