// Every portal page: zero axe-core violations (WCAG 2.2 A/AA), Vietnamese by default, a title and
// one main heading, reflow at 320 px, and a full-page screenshot kept as an artefact.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

async function checkPage(page, name, lang = 'vi') {
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  expect((await page.title()).trim(), 'page title').not.toBe('');
  await expect(page.getByRole('main')).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
  // Every message key exists in both languages (the pages print "[missing text]" otherwise).
  expect(await page.locator('body').innerText()).not.toContain('[missing text]');
  await h.screenshot(page, name);
  await h.expectAccessible(page, name);
}

test.describe('public pages', () => {
  for (const p of h.PUBLIC_PAGES) {
    test(`${p.name} (${p.path}) is accessible`, async ({ page, request }) => {
      await h.skipIfPending(request, p.path);
      const res = await page.goto(p.path);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toMatch(/text\/html/);
      await checkPage(page, p.name);
    });
  }

  for (const p of h.PUBLIC_PAGES) {
    test(`${p.name} in English is accessible`, async ({ page, request }) => {
      await h.skipIfPending(request, p.path);
      await page.goto(`${p.path}${p.path.includes('?') ? '&' : '?'}lang=en`);
      await checkPage(page, `${p.name}-en`, 'en');
    });
  }

  test('status look-up of a real dossier is accessible', async ({ page, request }) => {
    await h.skipIfPending(request, '/tra-cuu');
    const dossier = await h.counterDossier(request);
    const res = await page.goto(`/tra-cuu?ma=${encodeURIComponent(dossier.code)}`);
    expect(res.status()).toBe(200);
    await checkPage(page, 'status-result');
  });

  test('a missing page is a readable, accessible page', async ({ page, request }) => {
    await h.skipIfPending(request, '/');
    const res = await page.goto('/thu-tuc/9.999999');
    expect(res.status()).toBe(404);
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    await h.expectAccessible(page, 'not-found');
  });
});

test.describe('signed-in pages', () => {
  for (const p of h.CITIZEN_PAGES) {
    test(`${p.name} (${p.path}) is accessible`, async ({ page, request }) => {
      await h.skipIfPending(request, '/dang-nhap');
      await h.skipIfPending(request, p.path);
      await h.signIn(page);
      const res = await page.goto(p.path);
      expect(res.status()).toBe(200);
      await checkPage(page, p.name);
    });
  }
});

test.describe('reflow at 320 CSS px (WCAG 1.4.10)', () => {
  test.use({ viewport: { width: 320, height: 640 } });
  for (const p of h.CITIZEN_PAGES) {
    test(`${p.name} has no horizontal scroll`, async ({ page, request }) => {
      await h.skipIfPending(request, '/dang-nhap');
      await h.skipIfPending(request, p.path);
      await h.signIn(page);
      await page.goto(p.path);
      expect(await h.horizontalOverflow(page), 'pixels of horizontal overflow').toBeLessThanOrEqual(0);
      await h.screenshot(page, `${p.name}-320`);
    });
  }
  for (const p of h.PUBLIC_PAGES) {
    test(`${p.name} has no horizontal scroll`, async ({ page, request }) => {
      await h.skipIfPending(request, p.path);
      await page.goto(p.path);
      expect(await h.horizontalOverflow(page), 'pixels of horizontal overflow').toBeLessThanOrEqual(0);
      await h.screenshot(page, `${p.name}-320`);
    });
  }
});
