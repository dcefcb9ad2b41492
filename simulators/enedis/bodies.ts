/**
 * Error bodies of the proxy and of Enedis, exactly as the recorded fixtures give them
 * (test/fixtures/enedis/*.json, docs/enedis-api.md §8). Functions return fresh objects so callers may not alias them.
 */

export const BLUECODER_URI = 'https://bluecoder.enedis.fr/api-doc/consulter-souscrire';
export const VIA_HEADER = 'HTTP/1.1 enedis.domoticz.russandol.pro';
export const PRODUCTION_CLIENT_ID = 'd198fd52-61c0-4b77-8725-06a1ef90da9f';
export const SANDBOX_CLIENT_ID = '9c551777-9d1b-447c-9e68-bfe6896ee002';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface ErrorBody {
  error: string;
  error_description?: string;
  error_uri?: string;
}

const e = (error: string, error_description?: string, error_uri?: string): ErrorBody => {
  const body: ErrorBody = { error };
  if (error_description !== undefined) body.error_description = error_description;
  if (error_uri !== undefined) body.error_uri = error_uri;
  return body;
};

/** The proxy's own answers (always JSON, HTTP 400 unless stated). */
export const proxyErrors = {
  versionMismatch: () => e('version_mismatch', 'Votre version du plugin est trop ancienne, veuillez la mettre à jour'),
  missingClientId: () => e('invalid_request', 'Missing client_id'),
  missingClientIdOrGrant: () => e('invalid_request', 'Missing client_id or grant_type'),
  badClientId: () => e('invalid_request', 'Bad client_id'),
  missingDeviceCode: () => e('invalid_request', 'Missing device_code'),
  authorizationPending: () => e('authorization_pending'),
  slowDown: () => e('slow_down'),
  deviceCodeNotFound: () => e('invalid_grant', 'device_code not found in db'),
  unsupportedGrant: () =>
    e('unsupported_grant_type', "Only 'urn:ietf:params:oauth:grant-type:device_code' and refresh_token are supported."),
  missingUsagePointsId: () => e('invalid_request', 'Missing usage_points_id'),
  missingRefreshToken: () => e('invalid_request', 'Missing refresh_token'),
  refreshTokenNotFound: () => e('invalid_request', 'refresh_token not found in database'),
  refreshTokenMismatch: () => e('invalid_request', 'refresh_token not corresponding to usage_points_id'),
  pathEmpty: () => e('invalid_request', 'path empty'),
  missingUsagePointId: () => e('invalid_request', 'Missing usage_point_id'),
  /** HTTP 404, sic. */
  authorizationMissing: () => e('Unauthorized', 'Autorization missing'),
  /** HTTP 403. */
  accessTokenNotFound: () => e('Unauthorized', 'Access token not found'),
  /** HTTP 404: the PDL is not in the token's list. */
  badAccessToken: () => e('Unauthorized', 'Bad access token'),
  /** HTTP 404. */
  cannotGetClientCredentials: () => e('Unauthorized', 'Cannot get client credentials'),
  curlError: (n: number) => e('invalid_request', `cURL error ${n}`),
};

/** Enedis' answers relayed by the proxy (status in the comment). */
export const enedisErrors = {
  /** 400 */
  startNotBeforeEnd: () => e('Invalid_request', 'Start date should be before end date.', BLUECODER_URI),
  /** 400 */
  endInFuture: () => e('Invalid_request', 'The end date parameter must be earlier than the current date.', BLUECODER_URI),
  /** 400 */
  usagePointIdFormat: () => e('Invalid_request', 'usage_point_id parameter must be 14 digits long.'),
  /** 400 */
  usagePointIdRequired: () => e('Invalid_request', 'usage_point_id parameter is required.'),
  /** 400 */
  startRequired: () => e('Invalid_request', 'Start date parameter is required.'),
  /** 400 */
  startFormat: () => e('Invalid_request', 'start date parameter must be in the format yyyy-mm-dd.'),
  /** 400 [inf: the end-date texts mirror the documented start-date ones] */
  endRequired: () => e('Invalid_request', 'End date parameter is required.'),
  /** 400 [inf] */
  endFormat: () => e('Invalid_request', 'end date parameter must be in the format yyyy-mm-dd.'),
  /** 400 */
  beforeActivation: () => e('ADAM-ERR0123', "The requested period cannot be anterior to the meter's last activation date", BLUECODER_URI),
  /** 400 */
  historyDeadline: () => e('ADAM-ERR0125', 'The start date must be greater than the history deadline.'),
  /** 400 */
  curveOver7Days: () => e('ADAM-DC-0015', 'The requested period must be less than 7 days for an access to the load curve.'),
  /** 400 */
  wrongDirection: () => e('ADAM-ERR0069', 'Le sens de la mesure ne correspond pas pour le PRM demandé.'),
  /** 400 — the real text is unconfirmed (docs/enedis-api.md §10); this one follows the Enedis catalogue's wording. */
  curveNotCollected: () => e('ADAM-ERR0075', 'The customer objected to the load curve recording.'),
  /** 403 */
  noConsent: () => e('ADAM-DC-0008', 'No consent can be found for this customer and this usage point.'),
  /** 403 */
  notOwner: () => e('ADAM-DC-0007', 'The customer is not owner of this usage point.'),
  /** 404 */
  noDataFound: () => e('no_data_found', 'no measure found for this usage point', BLUECODER_URI),
  /** 404 */
  unknownUser: () => e('STM-ERR-0000019', 'Unknown or unauthorized user.'),
  /** 429 */
  quotaQ3: () => e('429', 'Quota Q3 reached  Call threshold allowed on -1:-3:-13'),
  /** 429 */
  quotaQ4: () => e('429', 'Quota Q4 reached  Call threshold allowed on 0:-30:-40'),
  /** 500 */
  technicalError: () => e('technical_error', 'Technical error. Please try later.'),
};

/** Content type of Enedis' 429 answers (observed), relayed by the proxy. */
export const QUOTA_CONTENT_TYPE = 'application/json; charset="UTF-8"';

/** Ready-made faults for `inject()`, built from the fixtures. */
export const faults = {
  technicalError: () => ({ status: 500, body: enedisErrors.technicalError() }),
  quotaQ3: () => ({ status: 429, body: enedisErrors.quotaQ3(), headers: { 'content-type': QUOTA_CONTENT_TYPE } }),
  quotaQ4: () => ({ status: 429, body: enedisErrors.quotaQ4(), headers: { 'content-type': QUOTA_CONTENT_TYPE } }),
  noConsent: () => ({ status: 403, body: enedisErrors.noConsent() }),
  noDataFound: () => ({ status: 404, body: enedisErrors.noDataFound() }),
  accessTokenNotFound: () => ({ status: 403, body: proxyErrors.accessTokenNotFound() }),
  slowDown: () => ({ status: 400, body: proxyErrors.slowDown() }),
};
