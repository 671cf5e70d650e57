package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// Redis keeps the state in a Redis server that several replicas share. Each
// operation is one atomic script, so two replicas can never both take a key.
type Redis struct {
	client *redis.Client
	prefix string
	owner  string
}

var _ Store = (*Redis)(nil)

// NewRedis uses client, with every key under prefix (one app's namespace).
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix, owner: newOwner()}
}

// OpenRedis connects to a redis:// or rediss:// URL; the password, if any,
// comes from the URL.
func OpenRedis(url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store: REDIS_URL is not a redis:// or rediss:// URL")
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 2*time.Second, time.Second, time.Second
	// A script whose answer was lost is not sent again: taking a key twice
	// would read as "held by someone else".
	opts.MaxRetries = -1
	return NewRedis(redis.NewClient(opts), prefix), nil
}

// Close closes the connections.
func (r *Redis) Close() error { return r.client.Close() }

var (
	// take returns the value found, or "" after taking the key.
	take = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''`)
	// finish sets the final value unless another holder has the key.
	finish = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] and string.sub(v, 1, 4) == 'run:' then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)
	// release deletes the key if this holder has it.
	release = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
)

func (r *Redis) Take(ctx context.Context, key string, hold time.Duration) (Claim, error) {
	v, err := take.Run(ctx, r.client, []string{r.prefix + key}, running+r.owner, hold.Milliseconds()).Text()
	if err != nil {
		return Claim{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if v == "" {
		return Claim{First: true}, nil
	}
	return read(v), nil
}

func (r *Redis) Finish(ctx context.Context, key, final string, keep time.Duration) error {
	err := finish.Run(ctx, r.client, []string{r.prefix + key}, running+r.owner, done+final, keep.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

func (r *Redis) Release(ctx context.Context, key string) error {
	if err := release.Run(ctx, r.client, []string{r.prefix + key}, running+r.owner).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

var (
	// note adds or updates an item, trims the list to its newest ARGV[4]
	// and sets its expiry; KEYS are the order (a sorted set by first noted
	// time) and the values (a hash).
	note = redis.NewScript(`
redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if extra > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1`)
	forget = redis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])`)
	list = redis.NewScript(`
local ids = redis.call('ZREVRANGE', KEYS[1], 0, -1)
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))`)
)

// listKeys are a list's order and values; the hash tag keeps both in one
// slot of a Redis Cluster.
func (r *Redis) listKeys(name string) []string {
	return []string{r.prefix + "list:{" + name + "}:order", r.prefix + "list:{" + name + "}:values"}
}

func (r *Redis) Note(ctx context.Context, name string, e Entry) error {
	id, value, max, keep := e.ID, e.Value, e.Max, e.Keep
	err := note.Run(ctx, r.client, r.listKeys(name), id, value, time.Now().UnixMicro(), max, keep.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

func (r *Redis) Forget(ctx context.Context, name, id string) error {
	if err := forget.Run(ctx, r.client, r.listKeys(name), id).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

func (r *Redis) List(ctx context.Context, name string) ([]string, error) {
	vals, err := list.Run(ctx, r.client, r.listKeys(name)).StringSlice()
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return vals, nil
}

func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// SetLogger sends go-redis's own messages (failed dials of its pool) to log,
// as warnings, instead of standard error.
func SetLogger(log zerolog.Logger) { redis.SetLogger(redisLog{log}) }

type redisLog struct{ log zerolog.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn().Str("component", "redis").Msg(fmt.Sprintf(format, v...))
}
