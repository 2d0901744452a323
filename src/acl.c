/*
 * acl: who may connect. See acl.h.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "errbuf.h"
#include "net.h"
#include "num.h"
#include "sys.h"

int
acl_uid(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	long n;

	if ((pw = getpwnam(name)) != NULL) {
		*uid = pw->pw_uid;
		if (gid != NULL)
			*gid = pw->pw_gid;
		return 0;
	}
	if (num_parse_int(name, 0, INT_MAX, &n) == -1)
		return -1;
	*uid = (uid_t)n;
	if (gid != NULL)
		*gid = (gid_t)-1;
	return 0;
}

int
acl_gid(const char *name, gid_t *gid)
{
	struct group *gr;
	long n;

	if ((gr = getgrnam(name)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (num_parse_int(name, 0, INT_MAX, &n) == -1)
		return -1;
	*gid = (gid_t)n;
	return 0;
}

int
acl_resolve(const struct addr_opts *o, struct acl *acl, char *err,
    size_t errlen)
{

	memset(acl, 0, sizeof(*acl));
	for (int i = 0; i < o->nallow_user; i++)
		if (acl_uid(o->allow_user[i], &acl->uid[acl->nuid++],
		    NULL) == -1)
			return errbuf_set(err, errlen, "allow-user=%s: no such user",
			    o->allow_user[i]);
	for (int i = 0; i < o->nallow_group; i++)
		if (acl_gid(o->allow_group[i], &acl->gid[acl->ngid++]) == -1)
			return errbuf_set(err, errlen, "allow-group=%s: no such group",
			    o->allow_group[i]);
	memcpy(acl->net, o->allow_net, sizeof(acl->net));
	acl->nnet = o->nallow_net;
	acl->on = acl->nuid + acl->ngid + acl->nnet > 0;
	return 0;
}

int
acl_allows(const struct acl *acl, int fd, char *who, size_t wholen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	gid_t *groups = NULL;
	int ngroups;
	pid_t pid;
	uid_t uid;
	gid_t gid;

	snprintf(who, wholen, "unknown peer");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return !acl->on;
	if (ss.ss_family != AF_UNIX) {
		const unsigned char *a = ss.ss_family == AF_INET ?
		    (const unsigned char *)&((struct sockaddr_in *)&ss)->sin_addr :
		    (const unsigned char *)&((struct sockaddr_in6 *)&ss)->sin6_addr;

		net_sa_str((struct sockaddr *)&ss, sl, who, wholen);
		if (!acl->on)
			return 1;
		for (int i = 0; i < acl->nnet; i++)
			if (cidr_match(&acl->net[i], ss.ss_family, a))
				return 1;
		return 0;
	}
	if (sys_peercred(fd, &pid, &uid, &gid) != 0)
		return !acl->on;
	snprintf(who, wholen, "unix peer pid %d uid %u gid %u", (int)pid,
	    (unsigned)uid, (unsigned)gid);
	if (!acl->on)
		return 1;
	for (int i = 0; i < acl->nuid; i++)
		if (acl->uid[i] == uid)
			return 1;
	for (int i = 0; i < acl->ngid; i++)
		if (acl->gid[i] == gid)
			return 1;
	ngroups = acl->ngid > 0 ? sys_peergroups(fd, &groups) : 0;
	for (int i = 0; i < acl->ngid; i++)
		for (int k = 0; k < ngroups; k++)
			if (acl->gid[i] == groups[k]) {
				free(groups);
				return 1;
			}
	free(groups);
	return 0;
}
