"""A round-robin TCP front for the shape on one machine (nginx's job in production).

    python deploy/roundrobin.py --listen 9400 9411 9412

Each new connection goes to the next backend port on 127.0.0.1; a backend that
refuses the connection is skipped for that connection, so a server being restarted
costs nothing. Bytes pass through unchanged (gunicorn's sync workers close the
connection after each response: one request, one turn).
"""

import argparse
import asyncio
import itertools
import logging

logger = logging.getLogger("roundrobin")


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except RuntimeError:
            pass


def handler(ports: list[int]):
    turn = itertools.cycle(ports)

    async def handle(client_reader, client_writer):
        for _ in ports:
            port = next(turn)
            try:
                backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                logger.warning("backend %s refused a connection; trying the next", port)
                continue
            await asyncio.gather(
                pipe(client_reader, backend_writer), pipe(backend_reader, client_writer)
            )
            return
        client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        client_writer.close()

    return handle


async def serve(listen: int, ports: list[int]) -> None:
    server = await asyncio.start_server(handler(ports), "127.0.0.1", listen, backlog=512)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="Round-robin TCP front on 127.0.0.1.")
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("ports", type=int, nargs="+", help="backend ports on 127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    asyncio.run(serve(args.listen, args.ports))


if __name__ == "__main__":
    main()
