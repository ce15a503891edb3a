// Saves the patient's record as a FHIR R4 Bundle (Patient, Observations, Flags) for another system to import.
import { useState } from 'react';
import { ProblemMessage, useSignedInSession } from '@healthflow/shared';

export function DownloadFhirBundle({ patientId }: { patientId: string }) {
  const { api } = useSignedInSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const bundle = await api.getFhirBundle(patientId);
      const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `patient-${patientId}-fhir.json`;
      document.body.append(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button button--small" onClick={download} disabled={busy} data-testid="download-fhir">
        {busy ? 'Preparing FHIR bundle…' : 'Download FHIR bundle'}
      </button>
      <ProblemMessage error={error} />
    </>
  );
}
