/**
 * The benchmark's documents: plain English prose (written for this purpose), cut to exact token
 * counts so Inkling and the peer see the same ids.
 */
import { Gpt2Tokenizer } from '../tokenizer';

const PROSE = [
  'The morning train left the valley a few minutes after six, when the fog still lay on the river and the',
  'fields on either side were grey with dew. Most of the passengers were regulars who knew each other by',
  'sight and nodded without speaking: a nurse going to the hospital in town, two students with heavy bags,',
  'an old man who carried a newspaper he never opened. Anna had taken the same seat for three years, by the',
  'window on the left, where she could watch the water and the line of poplars that marked the old road.',
  'She liked the way the light changed as the train climbed out of the valley, first silver, then yellow,',
  'then the ordinary white of a working day. On Tuesdays she wrote letters on the journey, long letters to',
  'her brother in the north, full of small news: the price of bread, the neighbour who had started keeping',
  'bees, the storm that had taken the roof off the school. He answered rarely, and when he did his letters',
  'were short and careful, as if every sentence had cost him something. She kept them all in a wooden box',
  'under her bed. In the spring the railway company announced that the line would close at the end of the',
  'year. There were meetings in the village hall, petitions, a reporter from the regional paper who took',
  'photographs of the station and of the stationmaster, who had worked there for thirty-one years and said',
  'he did not intend to retire quietly. People argued about buses and about the road, which was narrow and',
  'dangerous in winter, and about what the valley would become without the train. Anna signed the petition',
  'and went to two of the meetings, but mostly she rode the train as before, watching the river, writing',
  'her letters, trying to remember each part of the journey as if she might have to describe it one day to',
  'someone who had never seen it. In October her brother wrote to say that he was coming south for a week.',
  'He arrived on the last train of a Friday evening, thinner than she remembered, with a suitcase that had',
  'belonged to their father. They walked home along the river in the dark and did not talk much. The next',
  'morning she took him with her on the early train, and he sat by the window in her seat while she sat',
  'across from him and watched him look at the valley. At the top of the climb, where the line turns and',
  'the whole valley opens below, he put his hand flat against the glass and said that he had forgotten how',
  'wide it was. The station closed in December. The stationmaster locked the door himself, and the reporter',
  'came back to take one more photograph, and the old man with the newspaper stood on the platform for a',
  'long time after the last train had gone. In the new year Anna took the bus, which was slower and smelled',
  'of diesel, and she found that she could not write on it because the road was too rough. She began to',
  'write in the evenings instead, at the kitchen table, and her letters became longer, and after a while her',
  'brother began to answer them at length, describing the harbour where he worked, the ships, the weather,',
  'the people he met. It was as if the journey had moved from the valley into the letters, and there it went',
  'on, year after year, long after the rails had been taken up and the station had become a house.',
  'Years later a historian from the university came to the valley to collect memories of the railway. She',
  'set up a table in the village hall with a tape recorder and a plate of biscuits, and people came one by',
  'one to talk. The stationmaster, very old by then, described the winter when snow had closed the line for',
  'eleven days and the village had run out of coal. The nurse remembered a birth in the second carriage, and',
  'the name the parents had given the child, which was the name of the driver. The students, now parents',
  'themselves, remembered the exams they had revised for on the morning train, and the friend who had always',
  'saved them a seat. Anna brought the wooden box of letters. She did not read them aloud, but she let the',
  'historian copy a few pages, and she talked for an hour about the river, the poplars, the light at the top',
  'of the climb, and the morning her brother had put his hand against the glass. When the historian asked',
  'her what she missed most, she thought for a while and said that it was not the train itself but the time',
  'it gave her, forty minutes each way that belonged to no one, in which nothing was expected of her except',
  'to look out of the window and think. The historian wrote that down, and it became the last line of the',
  'book she published two years later, a small book with a photograph of the station on its cover.',
].join(' ');

export interface BenchTexts {
  tokenizer: Gpt2Tokenizer;
  /** The first n tokens of the benchmark prose, as ids. */
  ids(n: number): number[];
  /** Words a writer types after the document, one per keystroke measurement. */
  words: string[];
}

export function benchTexts(): BenchTexts {
  const tokenizer = Gpt2Tokenizer.gpt2();
  const all = tokenizer.encode(PROSE);
  return {
    tokenizer,
    ids(n: number): number[] {
      if (n > all.length) throw new Error(`benchmark text has ${all.length} tokens, ${n} requested`);
      return all.slice(0, n);
    },
    words: [' The', ' river', ' was', ' quiet', ' that', ' night', ' and', ' cold'],
  };
}
