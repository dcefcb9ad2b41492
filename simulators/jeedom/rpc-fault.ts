/** The errors the Jeedom simulator answers, with Jeedom's wire codes and French messages. */

/** A JSON-RPC failure as Jeedom puts it on the wire (`-32000 - exceptionCode`). */
export class RpcFault extends Error {
  constructor(
    readonly wireCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_AUTHORIZED = "Vous n'êtes pas autorisé à effectuer cette action";
export const BAD_VERSION = 'Requête invalide. Version JSON-RPC invalide : ';

export function duplicateEntry(what: string): RpcFault {
  return new RpcFault(-32000, `[MySQL] Error code : 23000 (1062). Duplicate entry '${what}' for key 'unique'`);
}
