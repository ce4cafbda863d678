import { LOGO_MAX_BYTES, type PortalBranding } from '@tripline/shared';
import { useEffect, useState } from 'react';
import { Card, useSave } from './settings-forms.tsx';

/** A picked file as a data: URL (what the server stores and the portal shows). */
const readAsDataUrl = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });

/**
 * The store's name and logo in the partner portal's header. The logo is uploaded here and
 * kept in the database (the server checks type, contents and size); a refused image is said
 * beside the form and the name and picked file stay as typed.
 */
export function PortalBrandingCard({ value, canWrite, onSaved }: { value: PortalBranding | undefined; canWrite: boolean; onSaved: () => Promise<void> }) {
  const { action, save } = useSave(onSaved);
  const [name, setName] = useState('');
  const [logo, setLogo] = useState<string | null>(null);
  // the stored value, as text: a reload of the settings (a new object, same content) keeps what is being typed
  const stored = value === undefined ? undefined : JSON.stringify(value);
  useEffect(() => {
    if (stored === undefined) return;
    const v = JSON.parse(stored) as PortalBranding;
    setName(v.storeName ?? '');
    setLogo(v.logo);
  }, [stored]);
  // nothing to type into until the stored value is known (it would overwrite the typing)
  const editable = canWrite && value !== undefined;
  const changed = value !== undefined && (name.trim() !== (value.storeName ?? '') || logo !== value.logo);
  return (
    <Card
      label="Partner portal"
      title="Partner portal"
      intro={`Your store's name and logo, shown at the top of every partner portal page so partners know whose webhooks they are looking at. The logo: a PNG, JPEG, GIF or WebP image of at most ${LOGO_MAX_BYTES / 1024} KB, kept in Tripline's database.`}
      action={action}
    >
      <div className="row">
        <label className="row">
          Store name
          <input value={name} maxLength={80} disabled={!editable} onChange={(e) => setName(e.target.value)} placeholder="e.g. Northwind Outfitters" />
        </label>
        <label className="row">
          Logo
          <input
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            disabled={!editable}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void readAsDataUrl(file).then(setLogo);
            }}
          />
        </label>
        {logo && <img src={logo} alt="Logo preview" className="branding-preview" style={{ maxHeight: 32, maxWidth: 160 }} />}
        {logo && canWrite && (
          <button type="button" className="link-button" onClick={() => setLogo(null)}>
            Remove logo
          </button>
        )}
      </div>
      {canWrite && (
        <button
          type="button"
          className="primary"
          disabled={!changed || action.busy}
          onClick={() => void save('portalBranding', { storeName: name.trim() || null, logo }, 'the portal branding', 'Saved: partners see this name and logo at the top of their portal.')}
        >
          Save portal branding
        </button>
      )}
    </Card>
  );
}
