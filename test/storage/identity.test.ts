/**
 * Identity-based storage (issue 8): with the `AzureWebJobsStorage__*` settings Bicep deploys, the
 * app's own blob and queue clients go to the configured account with a Microsoft Entra credential
 * (no keys, never Azurite). Clients are only constructed here: no network call is made.
 */
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createServices } from '../../functions/services.js';
import { validateAnalyzeRequest } from '../../functions/validation.js';
import { parseConfig } from '../../shared/config.js';
import { createAzureBlobStore, createBlobServiceClient } from '../../shared/storage/blobStore.js';
import { createStorageCredential } from '../../shared/storage/credentials.js';
import { createQueueServiceClient } from '../../shared/storage/queues.js';

const CLIENT_ID = '8f2c1a4e-3b5d-4c6e-9f70-1a2b3c4d5e6f';
const deployed = {
  AzureWebJobsStorage__blobServiceUri: 'https://stflow123.blob.core.windows.net/',
  AzureWebJobsStorage__queueServiceUri: 'https://stflow123.queue.core.windows.net/',
  AzureWebJobsStorage__tableServiceUri: 'https://stflow123.table.core.windows.net/',
  AzureWebJobsStorage__credential: 'managedidentity',
  AzureWebJobsStorage__clientId: CLIENT_ID,
};
/** The runtime credential of a storage client (protected in the queue SDK's typings). */
const credentialOf = (client: object) => (client as { credential?: unknown }).credential;

describe('storage clients from the identity-based settings', () => {
  it('managedidentity + clientId: the user-assigned ManagedIdentityCredential on the configured service URIs', () => {
    const { storage } = parseConfig(deployed);
    const blobs = createBlobServiceClient(storage);
    expect(blobs.url.replace(/\/+$/, '')).toBe('https://stflow123.blob.core.windows.net');
    expect(credentialOf(blobs)).toBeInstanceOf(ManagedIdentityCredential);
    const queues = createQueueServiceClient(storage);
    expect(queues.url.replace(/\/+$/, '')).toBe('https://stflow123.queue.core.windows.net');
    expect(credentialOf(queues)).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('without credential=managedidentity, or without a clientId, the DefaultAzureCredential chain', () => {
    const { AzureWebJobsStorage__clientId: _c, ...noClientId } = deployed;
    const { AzureWebJobsStorage__credential: _m, ...noCredential } = deployed;
    for (const env of [noClientId, noCredential]) {
      const { storage } = parseConfig(env);
      expect(storage.kind).toBe('identity');
      const cred = createStorageCredential(storage as Extract<typeof storage, { kind: 'identity' }>);
      expect(cred).toBeInstanceOf(DefaultAzureCredential);
      expect(cred).not.toBeInstanceOf(ManagedIdentityCredential);
      expect(credentialOf(createBlobServiceClient(storage))).toBeInstanceOf(DefaultAzureCredential);
    }
  });

  it('the app services use the identity account, and blob_uri must point into it (not Azurite)', () => {
    const config = parseConfig({ ...deployed, STEMFLOW_CALLBACK_ALLOWED_HOSTS: 'api.example.com' });
    const services = createServices(config);
    expect(services.blobs.serviceUrl).toBe('https://stflow123.blob.core.windows.net');
    expect(services.blobs.container).toBe('audio-files');
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const inAccount = validateAnalyzeRequest({ audio_file_id: id, blob_uri: `https://stflow123.blob.core.windows.net/audio-files/${id}.mp3` }, config, services.blobs.serviceUrl);
    expect(inAccount.ok).toBe(true);
    const azurite = validateAnalyzeRequest({ audio_file_id: id, blob_uri: `http://127.0.0.1:10000/devstoreaccount1/audio-files/${id}.mp3` }, config, services.blobs.serviceUrl);
    expect(azurite).toMatchObject({ ok: false, reasons: [expect.stringContaining('https://stflow123.blob.core.windows.net')] });
  });

  it('a connection string (also as a plain string) still builds a shared-key/Azurite client', () => {
    const { storage } = parseConfig({});
    expect(storage.kind).toBe('connectionString');
    for (const s of [storage, 'UseDevelopmentStorage=true']) {
      const client = createBlobServiceClient(s);
      expect(client.url).toMatch(/^http:\/\/127\.0\.0\.1:10000\/devstoreaccount1\/?$/);
      expect(credentialOf(client)).not.toBeInstanceOf(ManagedIdentityCredential);
      expect(createQueueServiceClient(s).url).toMatch(/^http:\/\/127\.0\.0\.1:10001\/devstoreaccount1\/?$/);
    }
    expect(createAzureBlobStore(storage, 'audio-files').serviceUrl).toBe('http://127.0.0.1:10000/devstoreaccount1');
  });
});
