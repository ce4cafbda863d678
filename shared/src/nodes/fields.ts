import { z } from 'zod';

const RESERVED = ['__proto__', 'constructor', 'prototype'];

/**
 * A name a step stores its result under (`vars.<saveAs>`) or a switch case name: an
 * identifier, so it reads well in `{"var": "vars.score"}` and cannot reach object internals.
 */
export const identifier = z
  .string()
  .regex(/^[A-Za-z_]\w{0,49}$/, 'an identifier: a letter or _, then letters, digits and _ (at most 50)')
  .refine((name) => !RESERVED.includes(name), 'reserved name');

export const saveAsField = identifier.meta({ title: 'Save as', description: 'later steps read the result at vars.<name>' });

/** A {{template}} string over the scope (event, vars, customer, item, index). */
export const templateField = (max: number) => z.string().max(max);
