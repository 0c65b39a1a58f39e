/**
 * Example pairs for few-shot translation prompts, written for Inkling: short everyday sentences
 * that show the model the "source = target" line format. Each language shares the same English
 * sentences, so the pairs in both directions come from one table.
 */
import type { TranslationExample } from './translate';

export type Language = 'en' | 'fr' | 'de' | 'es';
export type LanguagePair = 'en-fr' | 'fr-en' | 'en-de' | 'de-en' | 'en-es' | 'es-en';

export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
};

const SENTENCES: Readonly<Record<Language, readonly string[]>> = {
  en: [
    'The cat is sleeping on the chair.',
    'I would like a cup of coffee, please.',
    'Where is the train station?',
    'We are going to the beach tomorrow.',
    'This book is very interesting.',
    'My sister lives in a small house near the river.',
  ],
  fr: [
    'Le chat dort sur la chaise.',
    "Je voudrais une tasse de café, s'il vous plaît.",
    'Où est la gare ?',
    'Nous allons à la plage demain.',
    'Ce livre est très intéressant.',
    'Ma sœur habite dans une petite maison près de la rivière.',
  ],
  de: [
    'Die Katze schläft auf dem Stuhl.',
    'Ich hätte gern eine Tasse Kaffee, bitte.',
    'Wo ist der Bahnhof?',
    'Wir fahren morgen an den Strand.',
    'Dieses Buch ist sehr interessant.',
    'Meine Schwester wohnt in einem kleinen Haus am Fluss.',
  ],
  es: [
    'El gato está durmiendo en la silla.',
    'Quisiera una taza de café, por favor.',
    '¿Dónde está la estación de tren?',
    'Mañana vamos a la playa.',
    'Este libro es muy interesante.',
    'Mi hermana vive en una casa pequeña cerca del río.',
  ],
};

function pairs(from: Language, to: Language): readonly TranslationExample[] {
  return Object.freeze(SENTENCES[from].map((source, i) => Object.freeze({ source, target: SENTENCES[to][i] })));
}

export const DEFAULT_EXAMPLES: Readonly<Record<LanguagePair, readonly TranslationExample[]>> = {
  'en-fr': pairs('en', 'fr'),
  'fr-en': pairs('fr', 'en'),
  'en-de': pairs('en', 'de'),
  'de-en': pairs('de', 'en'),
  'en-es': pairs('en', 'es'),
  'es-en': pairs('es', 'en'),
};
