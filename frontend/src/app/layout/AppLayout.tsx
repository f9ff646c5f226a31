import { Suspense, useEffect, useRef, useState } from 'react';
import { Outlet, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { focusPageHeading } from './focus-heading';
import { Sidebar } from './Sidebar';
import { Topbar } from './Topbar';
import { Loading } from '../../components/ui';

export function AppLayout() {
  const { t } = useTranslation();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  // On navigation (not on the first load) focus moves to the new page's heading.
  const firstPath = useRef(location.pathname);
  useEffect(() => {
    const main = document.getElementById('main');
    if (!main || firstPath.current === location.pathname) return;
    firstPath.current = '';
    return focusPageHeading(main);
  }, [location.pathname]);
  // The drawer (phones) takes focus when it opens and gives it back to the menu button when Escape closes it.
  useEffect(() => {
    if (!menuOpen) return;
    document.querySelector<HTMLElement>('#app-sidebar .nav-link')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setMenuOpen(false);
        document.querySelector<HTMLElement>('.menu-btn')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        {t('nav.skip')}
      </a>
      <Sidebar open={menuOpen} onNavigate={() => setMenuOpen(false)} />
      {menuOpen && <div className="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />}
      <div className="shell-main">
        <Topbar menuOpen={menuOpen} onMenu={() => setMenuOpen((v) => !v)} />
        <main id="main" tabIndex={-1} className="content">
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
