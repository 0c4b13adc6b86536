/**
 * Microsoft Entra credentials for the app's own storage clients when storage is configured in the
 * Functions identity-based form (`AzureWebJobsStorage__blobServiceUri`, `__queueServiceUri`,
 * `__credential`, `__clientId`; see shared/config.ts {@link StorageSetting}).
 *
 * The choice mirrors the Functions host so that the app and its triggers use the same identity:
 * - `credential: 'managedidentity'` with a `clientId` → `ManagedIdentityCredential({ clientId })`,
 *   exactly that user-assigned identity (what bicep/main.bicep deploys). No fallback to other
 *   credentials, so a missing role assignment fails loudly instead of silently using another
 *   principal.
 * - anything else → `DefaultAzureCredential`: in Azure it ends at the managed identity (the
 *   system-assigned one, or the user-assigned one named by `AZURE_CLIENT_ID`); on a developer
 *   machine it uses environment credentials, workload identity, or `az`/`azd`/PowerShell sign-in.
 *   This deliberately covers "managedidentity without clientId" too, so the same settings work in
 *   Azure and on a developer machine signed in to Azure.
 *
 * Credentials are lazy: constructing one makes no network call; the first storage request does.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { StorageSetting } from '../config.js';

export type IdentityStorageSetting = Extract<StorageSetting, { kind: 'identity' }>;

/** The token credential for an identity-based storage setting (see the module comment for the rule). */
export function createStorageCredential(setting: IdentityStorageSetting): TokenCredential {
  if (setting.credential === 'managedidentity' && setting.clientId) return new ManagedIdentityCredential({ clientId: setting.clientId });
  return new DefaultAzureCredential();
}
