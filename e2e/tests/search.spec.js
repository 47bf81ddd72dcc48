// Procedure search finds "Đăng ký khai sinh" with and without diacritics, from the home page's
// search form and from the search page's URL; the result leads to the procedure page.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

for (const q of ['đăng ký khai sinh', 'dang ky khai sinh', 'khai sinh']) {
  test(`search "${q}" finds the birth registration first`, async ({ page, request }) => {
    await h.skipIfPending(request, '/thu-tuc');
    await page.goto(`/thu-tuc?q=${encodeURIComponent(q)}`);
    const link = page.getByRole('main').getByRole('link', { name: h.BIRTH.name }).first();
    await expect(link).toBeVisible();
    expect(await link.getAttribute('href')).toContain(`/thu-tuc/${h.BIRTH.code}`);
    // The search box keeps what was searched.
    const box = page.getByRole('searchbox').or(page.getByRole('textbox', { name: /tìm|search/i })).first();
    await expect(box).toHaveValue(q);
  });
}

test('search from the home page form, then open the procedure', async ({ page, request }) => {
  await h.skipIfPending(request, '/');
  await page.goto('/');
  const box = page.getByRole('searchbox').or(page.getByRole('textbox', { name: /tìm|search/i })).first();
  await box.fill('dang ky khai sinh');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/thu-tuc\?/);
  await page.getByRole('main').getByRole('link', { name: h.BIRTH.name }).first().click();
  await expect(page).toHaveURL(new RegExp(`/thu-tuc/${h.BIRTH.code.replace('.', '\\.')}`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(h.BIRTH.name);
  await expect(page.getByRole('main')).toContainText(h.BIRTH.code);
});

test('a search that matches nothing says so', async ({ page, request }) => {
  await h.skipIfPending(request, '/thu-tuc');
  await page.goto('/thu-tuc?q=zzqqxxy');
  await expect(page.getByRole('main')).toContainText(/không tìm thấy|không có kết quả|no (procedures|results)/i);
});
