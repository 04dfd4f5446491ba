import { Body, Controller, Get, HttpCode, MessageEvent, Post, Query, Sse } from '@nestjs/common';
import { filter, map, Observable, startWith, Subject } from 'rxjs';

interface Published {
  userId: string;
  type: string;
  data: object;
}

// The pattern most @Sse tutorials show: one process-wide Subject, and each
// connection filters the whole event flow for its own user. Publishing costs
// one filter call per open connection, which is what this baseline is for.
const events = new Subject<Published>();

@Controller()
export class NaiveController {
  @Sse('stream')
  stream(@Query('user') user: string): Observable<MessageEvent> {
    return events.pipe(
      filter((event) => event.userId === user),
      map((event) => ({ type: event.type, data: event.data })),
      // Nest 11 sends the response head with the first message; a ready event
      // opens the stream at once, as EventSource users expect.
      startWith({ type: 'stream.ready', data: {} }),
    );
  }

  @Post('publish')
  @HttpCode(201)
  publish(@Body() body: Published): { ok: true } {
    events.next(body);
    return { ok: true };
  }

  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}
