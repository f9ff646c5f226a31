import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ServerEventName, ServerEventPayload } from '@sokhan/common';
import { watchConnection, type AppSocket, type ConnectionState } from '../lib/socket';
import { useAuth } from './auth';
import { useServices } from './services';

interface SocketValue {
  socket: AppSocket | null;
  state: ConnectionState;
}

const SocketContext = createContext<SocketValue>({ socket: null, state: 'offline' });

/** One socket per signed-in session; a new token (sign-in, password change) means a new handshake. */
export function SocketProvider({ children }: { children: ReactNode }) {
  const { connectSocket } = useServices();
  const { token, status } = useAuth();
  const [value, setValue] = useState<SocketValue>({ socket: null, state: 'offline' });

  useEffect(() => {
    if (!token || status !== 'signed-in') return;
    const socket = connectSocket({ token });
    const stop = watchConnection(socket, (state) => setValue({ socket, state }));
    return () => {
      stop();
      socket.disconnect();
      setValue({ socket: null, state: 'offline' });
    };
  }, [token, status, connectSocket]);

  return <SocketContext.Provider value={value}>{children}</SocketContext.Provider>;
}

export function useConnection(): SocketValue {
  return useContext(SocketContext);
}

/** Subscribes for the component's lifetime; the latest handler is always the one called. */
export function useSocketEvent<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): void {
  const { socket } = useContext(SocketContext);
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!socket) return;
    const listener = (payload: ServerEventPayload<E>) => ref.current(payload);
    // socket.io's typed `on` cannot narrow a generic event name; the map guarantees the payload type.
    const s = socket as unknown as {
      on: (e: string, l: (p: ServerEventPayload<E>) => void) => void;
      off: (e: string, l: (p: ServerEventPayload<E>) => void) => void;
    };
    s.on(event, listener);
    return () => s.off(event, listener);
  }, [socket, event]);
}
