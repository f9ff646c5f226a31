import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Logo } from '../../components/icons';
import { NAV_GROUPS, NAV_ITEMS } from './nav';

export function Sidebar({ open, onNavigate }: { open: boolean; onNavigate: () => void }) {
  const { t } = useTranslation();
  return (
    <aside className={open ? 'sidebar sidebar-open' : 'sidebar'} id="app-sidebar">
      <div className="sidebar-inner">
      <div className="brand">
        <Logo size={34} />
        <div>
          <div className="brand-name">{t('app.name')}</div>
          <div className="brand-tagline">{t('app.tagline')}</div>
        </div>
      </div>
      <nav aria-label={t('nav.label')}>
        {NAV_GROUPS.map((group) => (
          <div className="nav-group" key={group}>
            <div className="nav-group-title">{t(`nav.groups.${group}`)}</div>
            <ul>
              {NAV_ITEMS.filter((item) => item.group === group).map((item) => (
                <li key={item.key}>
                  <NavLink to={item.to} className="nav-link" onClick={onNavigate} data-nav={item.key}>
                    {item.icon}
                    <span>{t(`nav.${item.key}`)}</span>
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      </div>
    </aside>
  );
}
