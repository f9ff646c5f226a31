import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeServices, renderWithApp } from '../../test/harness';
import { LoginPage } from './LoginPage';
import { RegisterPage } from './RegisterPage';
import fa from '../../locales/fa.json';

describe('RegisterPage', () => {
  it('lists every problem in Persian beside its field on submit', async () => {
    const user = userEvent.setup();
    renderWithApp(<RegisterPage />, { path: '/register' });
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('fa');
    await user.click(screen.getByRole('button', { name: 'ساخت حساب' }));
    expect(screen.getByText('یک نشانی ایمیل درست وارد کنید.')).toBeTruthy();
    expect(screen.getByText('دست‌کم ۳ نویسه لازم است.')).toBeTruthy();
    expect(screen.getByText('دست‌کم ۸ نویسه لازم است.')).toBeTruthy();
    const email = screen.getByLabelText('ایمیل');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    // The message is the field's description for screen readers.
    const describedBy = email.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('یک نشانی ایمیل درست وارد کنید.');
  });

  it('validates as you type once a field was left', async () => {
    const user = userEvent.setup();
    renderWithApp(<RegisterPage />, { path: '/register' });
    const username = screen.getByLabelText('نام کاربری');
    await user.type(username, 'علی');
    expect(screen.queryByText('فقط حروف انگلیسی، رقم و نویسه‌های _ . - مجاز است.')).toBeNull();
    await user.tab();
    expect(screen.getByText('فقط حروف انگلیسی، رقم و نویسه‌های _ . - مجاز است.')).toBeTruthy();
    await user.clear(username);
    await user.type(username, 'ali_1');
    expect(screen.queryByText('فقط حروف انگلیسی، رقم و نویسه‌های _ . - مجاز است.')).toBeNull();

    await user.type(screen.getByLabelText('رمز عبور'), 'یک رمز فارسی بلند');
    await user.type(screen.getByLabelText('تکرار رمز عبور'), 'چیز دیگری');
    await user.tab();
    expect(screen.getByText(fa.validation.passwordMismatch)).toBeTruthy();
  });
});

describe('LoginPage', () => {
  it('asks for both fields in Persian', async () => {
    const user = userEvent.setup();
    renderWithApp(<LoginPage />, { path: '/login' });
    await user.click(screen.getByRole('button', { name: 'ورود' }));
    expect(screen.getAllByText('این فیلد را پر کنید.')).toHaveLength(2);
  });

  it('says in Persian when the server cannot be reached', async () => {
    const user = userEvent.setup();
    renderWithApp(<LoginPage />, { path: '/login', services: makeServices('http://127.0.0.1:1') });
    await user.type(screen.getByLabelText('ایمیل یا نام کاربری'), 'maryam');
    await user.type(screen.getByLabelText('رمز عبور'), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'ورود' }));
    expect(await screen.findByText('به سرور دسترسی نداریم. اتصال شبکه را بررسی کنید و دوباره تلاش کنید.')).toBeTruthy();
  });
});
