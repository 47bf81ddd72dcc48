// Keyboard-only use of the home page: the skip link comes first and moves focus to the content,
// focus is visible, the search box is reachable with Tab and Enter submits the search.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

/** Whether the focused element draws a focus indicator (outline or box-shadow). */
async function focusVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const s = getComputedStyle(el);
    // A transparent outline (kept for forced-colour modes) shows nothing on its own.
    const clear = (c) => c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !clear(s.outlineColor);
    return outline || s.boxShadow !== 'none';
  });
}

async function focusedDescription(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40)}` : '';
  });
}

test('skip link, Tab to the search box, Enter searches', async ({ page, request }) => {
  await h.skipIfPending(request, '/');
  await page.goto('/');

  // First Tab: the skip link, visible when focused.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: /bỏ qua|chuyển (đến|tới) nội dung|skip to/i });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  expect(await focusVisible(page), 'the skip link shows focus').toBe(true);
  await page.keyboard.press('Enter');
  // Focus (or the sequential-navigation start point) is now in the main content.
  const target = (await skip.getAttribute('href')).replace(/^.*#/, '');
  await expect(page.locator(`#${target}`)).toBeAttached();
  await expect(page.locator('main')).toContainText(/./);
  expect(page.url()).toContain(`#${target}`);

  // Tab on until the search box has focus (bounded).
  const search = page.getByRole('searchbox').or(page.getByRole('textbox', { name: /tìm|search/i })).first();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await search.evaluate((el) => el === document.activeElement);
  }
  expect(reached, `search box reached by Tab (stopped at ${await focusedDescription(page)})`).toBe(true);
  expect(await focusVisible(page), 'the search box shows focus').toBe(true);

  await page.keyboard.type('khai sinh');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/thu-tuc\?(.*&)?q=khai(\+|%20)sinh/);
  await expect(page.getByRole('link', { name: h.BIRTH.name }).first()).toBeVisible();
});

test('every focusable element on the home page shows focus', async ({ page, request }) => {
  await h.skipIfPending(request, '/');
  await page.goto('/');
  const seen = new Set();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    // The focused element's position in the document tells when Tab has gone round.
    const at = await page.evaluate(() => Array.from(document.querySelectorAll('*')).indexOf(document.activeElement));
    if (at < 0 || seen.has(at) || (await page.evaluate(() => document.activeElement === document.body))) break;
    seen.add(at);
    expect(await focusVisible(page), `focus visible on ${await focusedDescription(page)}`).toBe(true);
  }
  expect(seen.size, 'focusable elements reached').toBeGreaterThan(2);
});

test('sign in with the keyboard only', async ({ page, request }) => {
  await h.skipIfPending(request, '/dang-nhap');
  await page.goto('/dang-nhap');
  const username = page.getByLabel(/tên đăng nhập|username/i);
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await username.evaluate((el) => el === document.activeElement);
  }
  expect(reached, `username field reached by Tab (stopped at ${await focusedDescription(page)})`).toBe(true);
  await page.keyboard.type(h.CITIZEN.username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel(/mật khẩu|password/i)).toBeFocused();
  await page.keyboard.type(h.CITIZEN.password);
  await page.keyboard.press('Enter');
  await expect(page).not.toHaveURL(/\/dang-nhap/);
  await expect(page.getByText(h.CITIZEN.fullName).first()).toBeVisible();
});
