import { dateParts, monthNameRo } from './calendar.js';
import { roIban } from './iban.js';
import { createPrng, hashSeed, type Prng } from './prng.js';
import type { SandboxAccount } from './users.js';

/** One generated statement line, before booking: `lag` days separate the card swipe from the booking. */
export interface GeneratedTxn {
  amountMinor: number;
  lag: number;
  counterpartyName: string;
  counterpartyIban: string | undefined;
  remittance: string;
  code: string;
}

const EMPLOYER = { name: 'SOFTRONIC SOLUTIONS SRL', iban: roIban('INGB', '0001000123456789') };
const LANDLORD = { name: 'POPESCU ANDREI', iban: roIban('BRDE', '445SV12345678900') };
const FRIENDS = [
  { name: 'IONESCU MARIA', iban: roIban('RNCB', '0082000000012345') },
  { name: 'GEORGESCU VLAD', iban: roIban('BTRL', 'RONCRT0000555501') },
  { name: 'STAN IOANA', iban: roIban('BACX', '0000001234567890') },
];
const UTILITIES = [
  {
    dom: 14,
    name: 'ENEL ENERGIE MUNTENIA SA',
    iban: roIban('RNCB', '0072049672340001'),
    min: 9_000,
    max: 26_000,
  },
  { dom: 18, name: 'ENGIE ROMANIA SA', iban: roIban('BRDE', '450SV02812345450'), min: 6_000, max: 42_000 },
  { dom: 20, name: 'DIGI ROMANIA SA', iban: roIban('INGB', '0001008195678910'), min: 5_500, max: 5_500 },
  { dom: 22, name: 'ORANGE ROMANIA SA', iban: roIban('BTRL', 'RONCRT0P12345601'), min: 4_500, max: 7_200 },
  {
    dom: 25,
    name: 'APA NOVA BUCURESTI SA',
    iban: roIban('RZBR', '0000060012345678'),
    min: 5_800,
    max: 9_400,
  },
];
const MERCHANTS: readonly { name: string; city: string; min: number; max: number; weight: number }[] = [
  { name: 'KAUFLAND', city: 'BUCURESTI', min: 4_500, max: 38_000, weight: 6 },
  { name: 'LIDL', city: 'BUCURESTI', min: 2_500, max: 24_000, weight: 6 },
  { name: 'MEGA IMAGE', city: 'BUCURESTI', min: 800, max: 12_000, weight: 8 },
  { name: 'CARREFOUR', city: 'BUCURESTI', min: 3_000, max: 45_000, weight: 4 },
  { name: 'PROFI', city: 'BUCURESTI', min: 600, max: 8_000, weight: 5 },
  { name: 'EMAG.RO', city: 'VOLUNTARI', min: 4_900, max: 180_000, weight: 2 },
  { name: 'ALTEX', city: 'BUCURESTI', min: 9_900, max: 250_000, weight: 1 },
  { name: 'DEDEMAN', city: 'BUCURESTI', min: 2_000, max: 60_000, weight: 1 },
  { name: 'OMV PETROM', city: 'BUCURESTI', min: 15_000, max: 42_000, weight: 3 },
  { name: 'ROMPETROL', city: 'PLOIESTI', min: 15_000, max: 40_000, weight: 2 },
  { name: 'GLOVO', city: 'BUCURESTI', min: 3_500, max: 14_000, weight: 4 },
  { name: 'TAZZ', city: 'BUCURESTI', min: 3_500, max: 12_000, weight: 2 },
  { name: 'BOLT.EU', city: 'TALLINN', min: 1_200, max: 6_500, weight: 4 },
  { name: 'UBER', city: 'AMSTERDAM', min: 1_500, max: 7_000, weight: 2 },
  { name: 'STARBUCKS', city: 'BUCURESTI', min: 1_400, max: 3_800, weight: 3 },
  { name: '5 TO GO', city: 'BUCURESTI', min: 500, max: 1_800, weight: 4 },
  { name: 'MCDONALDS', city: 'BUCURESTI', min: 2_500, max: 9_000, weight: 2 },
  { name: 'FARMACIA TEI', city: 'BUCURESTI', min: 1_500, max: 22_000, weight: 2 },
  { name: 'CATENA', city: 'CLUJ-NAPOCA', min: 1_200, max: 15_000, weight: 2 },
  { name: 'DR. MAX', city: 'BUCURESTI', min: 1_200, max: 12_000, weight: 1 },
  { name: 'CFR CALATORI', city: 'BUCURESTI', min: 4_500, max: 18_000, weight: 1 },
  { name: 'CINEMA CITY', city: 'BUCURESTI', min: 3_200, max: 12_000, weight: 1 },
  { name: 'CARTURESTI', city: 'BUCURESTI', min: 3_000, max: 20_000, weight: 1 },
  { name: 'DECATHLON', city: 'BUCURESTI', min: 4_000, max: 55_000, weight: 1 },
];
const MERCHANT_BAG = MERCHANTS.flatMap((m) => Array.from({ length: m.weight }, () => m));
const CLIENTS = [
  'ALFA DISTRIBUTIE SRL',
  'BETA LOGISTIC SRL',
  'CARPATI SOFT SRL',
  'DELTA CONSTRUCT SA',
  'ECO FARM SRL',
];
const SUPPLIERS = [
  { name: 'ORANGE BUSINESS SERVICES', iban: roIban('BTRL', 'RONCRT0P99887701') },
  { name: 'REGUS ROMANIA SRL', iban: roIban('INGB', '0001000987654321') },
  { name: 'FAN COURIER EXPRESS SRL', iban: roIban('RNCB', '0082000000098765') },
];
const TREASURY = { name: 'TREZORERIA SECTOR 1', iban: roIban('TREZ', '7015503XXXXXXXXX'.replace(/X/g, '0')) };

const CARD = 'PMNT-CCRD-POSD';
const TRANSFER_OUT = 'PMNT-ICDT-ESCT';
const TRANSFER_IN = 'PMNT-RCDT-ESCT';
const FEE = 'PMNT-MCOP-FEES';
const INTEREST = 'PMNT-MCOP-INTR';

function card(rng: Prng, m: (typeof MERCHANTS)[number]): GeneratedTxn {
  return {
    amountMinor: -rng.int(m.min, m.max),
    lag: rng.int(0, 2),
    counterpartyName: m.name,
    counterpartyIban: undefined,
    remittance: `POS ${m.name} ${m.city} RO card ****${String(rng.int(1000, 9999))}`,
    code: CARD,
  };
}

const transfer = (
  amountMinor: number,
  party: { name: string; iban: string },
  remittance: string,
  lag = 0,
): GeneratedTxn => ({
  amountMinor,
  lag,
  counterpartyName: party.name,
  counterpartyIban: party.iban,
  remittance,
  code: amountMinor < 0 ? TRANSFER_OUT : TRANSFER_IN,
});

function personalDay(acc: SandboxAccount, day: number, rng: Prng): GeneratedTxn[] {
  const { dom, month, lastDom } = dateParts(day);
  const out: GeneratedTxn[] = [];
  const base = hashSeed(acc.seed);
  if (dom === 10) {
    const salary = 900_000 + (base % 200_000) + rng.int(0, 12_000);
    out.push(
      transfer(salary, EMPLOYER, `SALARIU LUNA ${monthNameRo(month === 1 ? 12 : month - 1).toUpperCase()}`),
    );
  }
  if (dom === 3) out.push(transfer(-220_000, LANDLORD, `Chirie ${monthNameRo(month)} ap. 12`));
  if (dom === 12)
    out.push(transfer(-150_000, { name: acc.ownerName.toUpperCase(), iban: acc.iban }, 'Transfer economii'));
  for (const u of UTILITIES) {
    if (u.dom === dom)
      out.push(transfer(-rng.int(u.min, u.max), u, `Factura ${u.name.split(' ')[0]} ${month}/${dom}`, 1));
  }
  const swipes = rng.chance(0.35) ? 0 : rng.int(1, 2);
  for (let i = 0; i < swipes; i++) out.push(card(rng, rng.pick(MERCHANT_BAG)));
  if (rng.chance(0.06)) {
    const friend = rng.pick(FRIENDS);
    const amount = rng.int(50, 500) * 100;
    out.push(
      transfer(
        rng.chance(0.5) ? amount : -amount,
        friend,
        rng.pick(['Cadou', 'Bilete concert', 'Cina', 'Datorie']),
      ),
    );
  }
  if (dom === lastDom) {
    out.push({
      amountMinor: -rng.int(500, 1_500),
      lag: 0,
      counterpartyName: 'COMISION BANCA',
      counterpartyIban: undefined,
      remittance: 'Comision administrare cont',
      code: FEE,
    });
  }
  return out;
}

function savingsDay(day: number, rng: Prng): GeneratedTxn[] {
  const { dom, month, lastDom } = dateParts(day);
  const out: GeneratedTxn[] = [];
  if (dom === 12) out.push(transfer(rng.int(100, 300) * 100, EMPLOYER, 'Depunere economii'));
  if (dom === lastDom && month % 3 === 0) {
    out.push({
      amountMinor: rng.int(150, 900),
      lag: 0,
      counterpartyName: 'DOBANDA',
      counterpartyIban: undefined,
      remittance: 'Dobanda trimestriala',
      code: INTEREST,
    });
  }
  if (rng.chance(0.01)) out.push(transfer(-rng.int(50, 200) * 100, FRIENDS[0]!, 'Retragere economii'));
  return out;
}

function corporateDay(day: number, rng: Prng): GeneratedTxn[] {
  const { dom, weekday, month } = dateParts(day);
  const out: GeneratedTxn[] = [];
  if (weekday !== 0 && weekday !== 6) {
    const invoices = rng.int(0, 3);
    for (let i = 0; i < invoices; i++) {
      const client = rng.pick(CLIENTS);
      const party = {
        name: client,
        iban: roIban('BTRL', `RONCRT0C${String(hashSeed(client) % 1e8).padStart(8, '0')}`),
      };
      out.push(transfer(rng.int(50_000, 600_000), party, `Contravaloare factura FCT-${rng.int(1000, 9999)}`));
    }
    if (rng.chance(0.2)) {
      const supplier = rng.pick(SUPPLIERS);
      out.push(transfer(-rng.int(20_000, 600_000), supplier, `Plata factura ${supplier.name.split(' ')[0]}`));
    }
  }
  if (dom === 25) {
    out.push(transfer(-rng.int(4_000_000, 4_600_000), TREASURY, `CAS CASS impozit salarii ${month}`));
    for (const friend of FRIENDS)
      out.push(transfer(-rng.int(550_000, 900_000), friend, `Salariu luna ${monthNameRo(month)}`));
  }
  return out;
}

/** 2,750 card receipts a day: the benchmark account (≥ 1,000,000 booked a year), cheap to regenerate. */
export const BENCH_PER_DAY = 2_750;

function benchDay(rng: Prng): GeneratedTxn[] {
  const out: GeneratedTxn[] = new Array(BENCH_PER_DAY);
  for (let i = 0; i < BENCH_PER_DAY; i++) {
    const m = MERCHANTS[i % MERCHANTS.length]!;
    out[i] = {
      amountMinor: i % 50 === 49 ? -rng.int(10_000, 90_000) : rng.int(500, 25_000),
      lag: 0,
      counterpartyName: m.name,
      counterpartyIban: undefined,
      remittance: `Incasare POS ${m.name}`,
      code: CARD,
    };
  }
  return out;
}

/** Every line generated for one calendar day of one account; identical on every call. */
export function generateDay(acc: SandboxAccount, day: number): GeneratedTxn[] {
  const rng = createPrng(hashSeed(`${acc.seed}:${day}`));
  switch (acc.profile) {
    case 'personal':
      return personalDay(acc, day, rng);
    case 'savings':
      return savingsDay(day, rng);
    case 'corporate':
      return corporateDay(day, rng);
    case 'bench':
      return benchDay(rng);
  }
}
