/**
 * Jeedom's wire format decoded without a box (plugin/jeedom/wire.ts is pure): "ok" for empty, string
 * numbers and booleans, rows, and the JSON-RPC error codes mapped to the typed errors.
 */
import { describe, expect, it } from 'vitest';
import { JeedomAuthError, JeedomMethodError, JeedomNotFoundError, JeedomProtocolError, JeedomRpcError } from '../plugin/jeedom/errors.js';
import {
  type AnswerContext,
  asArray,
  checkJeedomDatetime,
  decodeAnswer,
  toBatchSupport,
  toCmd,
  toConfigValue,
  toCurrentValues,
  toEqLogic,
  toHistoryRow,
  toObject,
  toStatistique,
  toTimezone,
} from '../plugin/jeedom/wire.js';

const KEY = 'k3yk3yk3yk3yk3yk3y';
const ctx: AnswerContext = {
  where: 'Jeedom at http://box/core/api/jeeApi.php',
  method: 'cmd::byId',
  redact: (t) => t.split(KEY).join('…'),
};
const errorOf = (code: number, message: string) => {
  const answer = decodeAnswer(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code, message } }), 200, ctx);
  if (!('error' in answer)) throw new Error('no error decoded');
  return answer;
};

describe('Jeedom wire decoding', () => {
  it('reads "ok" as nothing, string numbers and "1"/"0" booleans as numbers and booleans', () => {
    expect(asArray('ok')).toEqual([]);
    expect(toConfigValue('ok')).toBeUndefined();
    expect(toConfigValue('Europe/Paris')).toBe('Europe/Paris');
    expect(toObject({ id: '3', name: 'Linky', father_id: '0' })).toEqual({ id: 3, name: 'Linky', father_id: null });
    expect(
      toEqLogic({ id: '12', name: 'Linky', logicalId: 'jeelinky_x', object_id: '3', eqType_name: 'virtual', isEnable: '1', isVisible: 0 }),
    ).toEqual({
      id: 12,
      name: 'Linky',
      logicalId: 'jeelinky_x',
      object_id: 3,
      eqType_name: 'virtual',
      isEnable: true,
      isVisible: false,
      configuration: {},
    });
    const cmd = toCmd({
      id: '40',
      eqLogic_id: '12',
      logicalId: 'daily_consumption',
      type: 'info',
      isHistorized: '1',
      order: 'x',
      configuration: [],
    });
    expect([cmd.id, cmd.eqLogic_id, cmd.isHistorized, cmd.order, cmd.configuration]).toEqual([40, 12, true, 0, {}]);
    expect(toHistoryRow({ cmd_id: '40', datetime: '2024-01-01 12:00:00', value: 1.5 })).toEqual({
      cmd_id: 40,
      datetime: '2024-01-01 12:00:00',
      value: '1.5',
    });
    expect(toCurrentValues({ 40: { value: '7', collectDate: '2024-01-01 12:00:00' } }).get(40)).toEqual({
      value: '7',
      collectDate: '2024-01-01 12:00:00',
    });
    expect(toStatistique({ avg: 2, min: null, count: '3', std: '0.5' })).toEqual({
      avg: '2',
      min: null,
      max: null,
      sum: null,
      count: 3,
      std: 0.5,
      variance: null,
    });
    expect(toBatchSupport({ api: '1', maxPoints: '5000' })).toEqual({ api: 1, maxPoints: 5000 });
    expect(toBatchSupport('ok')).toBeUndefined();
  });

  it("takes Jeedom's default timezone when unset and refuses an unknown one", () => {
    expect(toTimezone(undefined, 'http://box')).toBe('Europe/Brussels');
    expect(() => toTimezone('Mars/Olympus', 'http://box')).toThrow(/timezone "Mars\/Olympus"/);
  });

  it('refuses a datetime that is not YYYY-MM-DD HH:MM:SS', () => {
    expect(() => checkJeedomDatetime('2024-01-01 12:00:00')).not.toThrow();
    expect(() => checkJeedomDatetime('2024-01-01T12:00:00+01:00')).toThrow(/YYYY-MM-DD HH:MM:SS/);
  });

  it('maps the envelope: result, HTML page, no result, and each error code by number, the key masked', () => {
    expect(decodeAnswer('{"jsonrpc":"2.0","id":1,"result":"ok"}', 200, ctx)).toEqual({ result: 'ok' });
    const html = decodeAnswer('<html>login</html>', 200, ctx);
    expect('error' in html && html.error instanceof JeedomProtocolError && html.transient).toBe(true);
    expect('error' in html && html.error.message).toMatch(/an HTML page, HTTP 200/);
    const empty = decodeAnswer('{"jsonrpc":"2.0","id":1}', 200, ctx);
    expect('error' in empty && empty.error instanceof JeedomProtocolError && empty.transient).toBe(true);
    expect(errorOf(2, `Clef API invalide ${KEY}`).error).toBeInstanceOf(JeedomAuthError);
    expect(errorOf(1, 'Non autorisé').error).toBeInstanceOf(JeedomAuthError);
    expect(errorOf(1, 'bad request').error).toBeInstanceOf(JeedomRpcError);
    expect(errorOf(500, 'Aucune méthode correspondante').error).toBeInstanceOf(JeedomMethodError);
    expect(errorOf(702, "Vous n'avez pas les droits").error).toBeInstanceOf(JeedomAuthError);
    const missing = errorOf(701, `Cmd introuvable ${KEY}`);
    expect(missing.error).toBeInstanceOf(JeedomNotFoundError);
    expect(missing.transient).toBe(false);
    expect(missing.error.message).not.toContain(KEY);
    expect(errorOf(-32000, 'boom').error).toBeInstanceOf(JeedomRpcError);
  });
});
