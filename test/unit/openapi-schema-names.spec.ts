import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { createOpenApiDocument } from '../../src/openapi/openapi-document';

@ApiSchema({ name: 'Twin' })
class FirstTwinDto {
  @ApiProperty() first: string;
}

@ApiSchema({ name: 'Twin' })
class SecondTwinDto {
  @ApiProperty() second: number;
}

@ApiSchema({ name: 'Single' })
class SingleDto {
  @ApiProperty() only: string;
}

@Controller('twins')
class TwinsController {
  @Get('first')
  @ApiOkResponse({ type: FirstTwinDto })
  first(): FirstTwinDto {
    return { first: 'a' };
  }

  @Get('second')
  @ApiOkResponse({ type: SecondTwinDto })
  second(): SecondTwinDto {
    return { second: 1 };
  }
}

@Controller('single')
class SingleController {
  @Get()
  @ApiOkResponse({ type: SingleDto })
  single(): SingleDto {
    return { only: 'a' };
  }
}

async function documentOf(controller: new (...args: never[]) => unknown): Promise<ReturnType<typeof createOpenApiDocument>> {
  @Module({ controllers: [controller] })
  class ApiModule {}
  const app = (await Test.createTestingModule({ imports: [ApiModule] }).compile()).createNestApplication({ logger: false });
  await app.init();
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** `npm run openapi` refuses to publish one schema under another's name. */
describe('OpenAPI schema names', () => {
  it('fail the generation when two different schemas share one', async () => {
    await expect(documentOf(TwinsController)).rejects.toThrow('Two different schemas are named Twin');
  });

  it('generate when each is unique', async () => {
    expect((await documentOf(SingleController)).components?.schemas).toHaveProperty('Single');
  });
});
