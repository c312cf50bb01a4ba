/**
 * 200 ordinary British names (common first names × common surnames of England, Wales, Scotland
 * and Northern Ireland), used to measure the false-positive rate of sanctions screening. They are
 * written out in full so the test set is fixed and readable.
 */
export const BRITISH_NAMES: readonly string[] = [
  'Oliver Smith', 'Amelia Jones', 'George Williams', 'Isla Taylor', 'Harry Brown', 'Ava Davies', 'Jack Evans', 'Mia Wilson',
  'Jacob Thomas', 'Emily Johnson', 'Noah Roberts', 'Sophie Robinson', 'Charlie Thompson', 'Grace Wright', 'Thomas Walker', 'Lily White',
  'Oscar Edwards', 'Jessica Hughes', 'William Green', 'Poppy Hall', 'James Lewis', 'Ella Harris', 'Henry Clarke', 'Freya Patel',
  'Leo Jackson', 'Chloe Wood', 'Alfie Turner', 'Evie Martin', 'Joshua Cooper', 'Isabella Hill', 'Freddie Ward', 'Daisy Morris',
  'Archie Moore', 'Phoebe Clark', 'Ethan Lee', 'Ruby King', 'Isaac Baker', 'Florence Harrison', 'Alexander Morgan', 'Alice Allen',
  'Joseph James', 'Charlotte Scott', 'Edward Phillips', 'Sienna Watson', 'Samuel Davis', 'Matilda Parker', 'Max Price', 'Evelyn Bennett',
  'Daniel Young', 'Elsie Griffiths', 'Arthur Mitchell', 'Rosie Kelly', 'Lucas Cook', 'Imogen Carter', 'Mohammed Richardson', 'Hannah Bailey',
  'Logan Collins', 'Lucy Bell', 'Dylan Shaw', 'Olivia Murphy', 'Sebastian Miller', 'Holly Cox', 'Finley Richards', 'Millie Khan',
  'Adam Marshall', 'Eleanor Anderson', 'Benjamin Simpson', 'Harriet Ellis', 'Theo Adams', 'Scarlett Singh', 'Toby Begum', 'Layla Wilkinson',
  'Matthew Foster', 'Katie Chapman', 'Luke Powell', 'Megan Webb', 'David Rogers', 'Rebecca Gray', 'Michael Mason', 'Laura Ali',
  'Christopher Hunt', 'Sarah Hussain', 'Andrew Campbell', 'Emma Matthews', 'Paul Owen', 'Rachel Palmer', 'Mark Holmes', 'Claire Mills',
  'Stephen Barnes', 'Helen Knight', 'Richard Lloyd', 'Nicola Butler', 'Peter Russell', 'Karen Barker', 'John Fisher', 'Susan Stevens',
  'Robert Jenkins', 'Julie Murray', 'Ian Dixon', 'Alison Harvey', 'Gareth Graham', 'Siobhan Pearson', 'Rhys Ahmed', 'Catrin Fletcher',
  'Dafydd Walsh', 'Bethan Kaur', 'Owen Gibson', 'Ffion Howard', 'Callum Andrews', 'Eilidh Stewart', 'Fraser Elliott', 'Kirsty Reynolds',
  'Angus Saunders', 'Morag Payne', 'Hamish Fox', 'Fiona Ross', 'Ciaran Davidson', 'Aoife Rose', 'Declan Hamilton', 'Niamh Kennedy',
  'Sean Lawrence', 'Orla Moss', 'Patrick Wells', 'Bridget Gordon', 'Liam Black', 'Caitlin Reid', 'Connor Marsh', 'Shannon Burton',
  'Ryan Hudson', 'Zoe Armstrong', 'Kieran Atkinson', 'Amy Grant', 'Jamie Lane', 'Abigail Hart', 'Nathan Cole', 'Jasmine Pearce',
  'Jordan Dawson', 'Leah Bates', 'Tyler Spencer', 'Paige Stone', 'Aaron Ford', 'Bethany West', 'Lewis Hayes', 'Natalie Webster',
  'Bradley Day', 'Kayleigh Hunter', 'Dean Sutton', 'Gemma Poole', 'Craig Warren', 'Stacey Parsons', 'Gavin Dean', 'Joanne Austin',
  'Darren Lambert', 'Lisa Francis', 'Wayne Holland', 'Tracey Newman', 'Neil Burke', 'Donna Barrett', 'Keith Jordan', 'Denise Fowler',
  'Trevor Wheeler', 'Brenda Booth', 'Derek Hopkins', 'Maureen Rowe', 'Colin Thornton', 'Sheila Knowles', 'Graham Cross', 'Pauline Hartley',
  'Malcolm Nash', 'Jean Sharp', 'Nigel Pritchard', 'Margaret Norris', 'Roger Gill', 'Patricia Barber', 'Brian Cunningham', 'Christine Pollard',
  'Alan Summers', 'Janet Whitehead', 'Kevin Benson', 'Deborah Lowe', 'Martin Brooks', 'Elaine Doyle', 'Simon Hewitt', 'Wendy Connolly',
  'Anthony Kerr', 'Carol Farrell', 'Philip Hodgson', 'Anne Parry', 'Timothy Blake', 'Gillian Slater', 'Jonathan Harding', 'Linda Chambers',
  'Hugh Osborne', 'Priya Sharma', 'Arjun Mistry', 'Yusuf Iqbal', 'Chen Wei Liu', 'Kwame Mensah', 'Aleksander Nowak', 'Sofia Rossi',
];
