import { validateBody } from '../../../test/harness/validation';
import { CreateAppDto } from './app.dto';

describe('app names: invisible characters are removed', () => {
  it('removes zero-width and bidi isolate characters from an app name, and tidies spaces', async () => {
    const body = {
      name: 'Budget\u200Bly \u2066App\u2069',
      description: 'Shows balances',
      redirectUris: ['https://a.example/cb'],
      scopes: ['accounts:read'],
    };
    const app = (await validateBody(CreateAppDto, body)) as CreateAppDto;
    expect(app.name).toBe('Budgetly App');
  });
});
