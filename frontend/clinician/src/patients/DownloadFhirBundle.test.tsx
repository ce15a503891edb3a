import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callsTo, jsonResponse, requestHeader, seedSession, stubFetch } from '@healthflow/shared/testing';
import { renderApp } from '../testing/renderApp';

const patientId = '0f7d3c52-8a1e-4b6a-9d55-3c2b1a0e9f11';
const bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [{ fullUrl: `http://localhost:8080/fhir/r4/Patient/${patientId}`, resource: { resourceType: 'Patient', id: patientId } }],
};

function patientApi(everything: () => Response) {
  return stubFetch((url) => {
    if (url === `/fhir/r4/Patient/${patientId}/$everything`) return everything();
    if (url === `/api/patients/${patientId}`) {
      return jsonResponse({ patientId, username: 'ada', displayName: 'Ada Lovelace', registeredAt: '2026-11-01T08:00:00Z' });
    }
    if (url === `/api/patients/${patientId}/monitoring-plan`) return jsonResponse({ title: 'Not found' }, 404);
    if (url.startsWith(`/api/patients/${patientId}/`)) return jsonResponse({ items: [], nextCursor: null });
    return undefined;
  });
}

describe('Download FHIR bundle', () => {
  let saved: { name: string; blob: Blob }[];

  beforeEach(() => {
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
    saved = [];
    const blobs = new Map<string, Blob>();
    vi.stubGlobal('URL', Object.assign(URL, {
      createObjectURL: (blob: Blob) => {
        const url = `blob:test/${blobs.size}`;
        blobs.set(url, blob);
        return url;
      },
      revokeObjectURL: () => {},
    }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: blobs.get(this.href)! });
    });
  });

  it("saves the patient's $everything Bundle as a FHIR JSON file", async () => {
    const fetchMock = patientApi(() => jsonResponse(bundle, 200, { 'Content-Type': 'application/fhir+json' }));
    renderApp(`/patients/${patientId}`);

    await userEvent.click(await screen.findByRole('button', { name: 'Download FHIR bundle' }));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0].name).toBe(`patient-${patientId}-fhir.json`);
    expect(saved[0].blob.type).toBe('application/fhir+json');
    expect(JSON.parse(await saved[0].blob.text())).toEqual(bundle);
    const [[, init]] = callsTo(fetchMock, `/fhir/r4/Patient/${patientId}/$everything`, 'GET');
    expect(requestHeader(init, 'Accept')).toBe('application/fhir+json');
    expect(requestHeader(init, 'Authorization')).toBe('Bearer test-token');
  });

  it('says why when the server refuses, and saves nothing', async () => {
    patientApi(() =>
      jsonResponse(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', details: { text: 'Patients can read only their own records.' } }] },
        403,
        { 'Content-Type': 'application/fhir+json' },
      ),
    );
    renderApp(`/patients/${patientId}`);

    await userEvent.click(await screen.findByRole('button', { name: 'Download FHIR bundle' }));

    expect(await screen.findByText('You are not allowed to do that.')).toBeInTheDocument();
    expect(screen.getByText('Patients can read only their own records.')).toBeInTheDocument();
    expect(saved).toHaveLength(0);
  });
});
